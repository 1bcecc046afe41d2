// /api/auth: login (login-routes.ts), logout, who am I and the profile, password change, TOTP 2FA, API
// tokens (token-routes.ts). The `sid` cookie and the CSRF check are the authenticate middleware's.
import { Hono } from "hono";
import { deleteCookie, getCookie } from "hono/cookie";
import { audit, platformAudit } from "../audit/audit.ts";
import { op } from "../contract/op.ts";
import { Ok } from "../contract/schemas.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { readJson } from "../lib/validate.ts";
import { requestTenant } from "../tenancy/context.ts";
import {
  changePassword,
  disableTwoFactor,
  enrolTwoFactor,
  profileOf,
  updateProfile,
  verifyTwoFactor,
} from "./account.ts";
import { SID_COOKIE } from "./authenticate.ts";
import { currentUser } from "./guard.ts";
import { loginRoutes } from "./login-routes.ts";
import { revokeLogin } from "./logins.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import { presentPrincipal } from "./present.ts";
import {
  CodeBody,
  Me,
  PasswordBody,
  PasswordChanged,
  ProfileBody,
  TwoFactorDisabled,
  TwoFactorEnabled,
  TwoFactorEnrolment,
} from "./schemas.ts";
import { superAdminStore } from "./super-admin-store.ts";
import { tokenRoutes } from "./token-routes.ts";
import { csrfTokenFor } from "./tokens.ts";

const TAG = "Auth";

export const auth = new Hono<AppEnv>()
  .route("/", loginRoutes)

  .post(
    "/logout",
    op({
      tag: TAG,
      summary: "Log out",
      description: "Ends this login and clears the `sid` cookie.",
      access: "a cookie login",
      responses: { 200: Ok },
      errors: ["UNAUTHORIZED"],
    }),
    async (c) => {
      const p = c.var.principal;
      if (!p?.loginId) throw new ApiError("UNAUTHORIZED", "Not logged in with a cookie");
      await revokeLogin(c, p.loginId, "logout", p.id);
      deleteCookie(c, SID_COOKIE, { path: "/" });
      const e = { type: "user.logout" as const, action: "logout", description: `${p.email} logged out` };
      if (p.kind === "user") await audit(c, e);
      else await platformAudit(c, e);
      return c.json({ ok: true as const });
    },
  )

  .get(
    "/me",
    op({
      tag: TAG,
      summary: "Who is signed in",
      description:
        "The principal (with the profile for a tenant user) and, for a cookie login, the CSRF token.",
      access: "any signed-in principal (also while 2FA enrolment is pending)",
      responses: { 200: Me },
      errors: ["UNAUTHORIZED", "SESSION_EXPIRED"],
    }),
    async (c) => {
      const p = c.var.principal;
      if (!p)
        throw new ApiError(
          c.var.authFailure === "SESSION_EXPIRED" ? "SESSION_EXPIRED" : "UNAUTHORIZED",
          "Not logged in",
        );
      const sid = getCookie(c, SID_COOKIE);
      const csrf_token = p.via === "cookie" && sid ? await csrfTokenFor(sid) : null;
      const principal = presentPrincipal(p);
      if (principal.kind === "super_admin" || p.kind === "super_admin")
        return c.json({ principal, csrf_token });
      return c.json({ principal: { ...principal, ...(await profileOf(requestTenant(c), p)) }, csrf_token });
    },
  )

  .patch(
    "/me",
    op({
      tag: TAG,
      summary: "Change your profile",
      access: "a tenant user",
      body: ProfileBody,
      responses: { 200: Ok },
      errors: ["UNAUTHORIZED", "VALIDATION_ERROR"],
    }),
    async (c) => {
      const u = currentUser(c);
      await updateProfile(requestTenant(c), u, await readJson(c, ProfileBody));
      return c.json({ ok: true as const });
    },
  )

  .post(
    "/password",
    op({
      tag: TAG,
      summary: "Change your password",
      description:
        "Needs the current password (wrong ones count toward the login throttle). A tenant user's other " +
        "logins end.",
      access: "any signed-in principal (also while 2FA enrolment is pending)",
      body: PasswordBody,
      responses: { 200: PasswordChanged },
      errors: ["UNAUTHORIZED", "INVALID_CREDENTIALS", "RATE_LIMITED", "VALIDATION_ERROR"],
    }),
    async (c) => {
      const p = c.var.principal;
      if (!p) throw new ApiError("UNAUTHORIZED", "Authentication required");
      const body = await readJson(c, PasswordBody);
      if (p.kind === "user")
        return c.json(await changePassword(requestTenant(c), currentUser(c, { allowPending: true }), body));
      const admins = superAdminStore(c.var.db);
      const a = await admins.byId(p.id);
      if (!(await verifyPassword(body.current_password, a?.passwordHash)))
        throw new ApiError("INVALID_CREDENTIALS", "Current password is wrong");
      await admins.setPassword(p.id, await hashPassword(body.new_password));
      await platformAudit(c, {
        type: "user.password.changed",
        action: "password_change",
        description: `${p.email} changed their password`,
      });
      return c.json({ ok: true as const });
    },
  )

  .post(
    "/2fa/enroll",
    op({
      tag: TAG,
      summary: "Start TOTP enrolment",
      description:
        "Answers the secret and its otpauth:// URI; POST /api/auth/2fa/verify with a code turns it on.",
      access: "a tenant user (also while enrolment is pending)",
      responses: { 200: TwoFactorEnrolment },
      errors: ["UNAUTHORIZED", "CONFLICT"],
    }),
    async (c) => {
      const u = currentUser(c, { allowPending: true });
      return c.json(await enrolTwoFactor(requestTenant(c), u));
    },
  )

  .post(
    "/2fa/verify",
    op({
      tag: TAG,
      summary: "Turn TOTP on with a code",
      description: "Answers ten one-time recovery codes, shown once.",
      access: "a tenant user (also while enrolment is pending)",
      body: CodeBody,
      responses: { 200: TwoFactorEnabled },
      errors: ["UNAUTHORIZED", "INVALID_STATE", "VALIDATION_ERROR"],
    }),
    async (c) => {
      const u = currentUser(c, { allowPending: true });
      const { code } = await readJson(c, CodeBody);
      return c.json(await verifyTwoFactor(requestTenant(c), u, code));
    },
  )

  .post(
    "/2fa/disable",
    op({
      tag: TAG,
      summary: "Turn TOTP off with a code or a recovery code",
      description: "Refused while the organization requires 2FA.",
      access: "a tenant user",
      body: CodeBody,
      responses: { 200: TwoFactorDisabled },
      errors: ["UNAUTHORIZED", "FORBIDDEN", "INVALID_STATE", "INVALID_CREDENTIALS", "RATE_LIMITED"],
    }),
    async (c) => {
      const u = currentUser(c);
      const { code } = await readJson(c, CodeBody);
      return c.json(await disableTwoFactor(requestTenant(c), u, code));
    },
  )

  .route("/", tokenRoutes);
