// /api/auth/sso: single sign-on on the tenant's host, for people who are not signed in yet. The sign-in
// page asks which providers to offer, starts one (the answer is the IdP's URL; a short-lived HttpOnly
// cookie ties the state to this browser, so a code started elsewhere cannot be planted here), and the IdP
// sends the browser back to the callback, which ends in the same login session (`sid`) as a password
// sign-in and a redirect into the console — or back to the sign-in page with `?sso_error=`. Every sign-in,
// refusal (with its reason, through the bounded failed-login trail) and JIT creation is audited.
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { audit } from "../audit/audit.ts";
import { auditFailedLogin } from "../audit/failed-logins.ts";
import { ipAllowed } from "../auth/ip-ranges.ts";
import { startLogin } from "../auth/logins.ts";
import { loadRole } from "../auth/roles.ts";
import { op } from "../contract/op.ts";
import type { AppEnv } from "../env.ts";
import { readJson } from "../lib/validate.ts";
import { requestTenant } from "../tenancy/context.ts";
import { loadOrganization } from "../tenancy/organization.ts";
import { userStore } from "../users/store.ts";
import { SsoFailure } from "./oidc.ts";
import { callbackUrl } from "./routes.ts";
import { SsoSignInOptions, SsoStartAnswer, SsoStartBody } from "./schemas.ts";
import { AUTH_REQUEST_TTL_MS, cliForward, finishSignIn, type SsoOutcome, startSignIn } from "./signin.ts";
import { ssoStore } from "./store.ts";

const TAG = "Auth";
export const STATE_COOKIE = "sso_state";
const COOKIE_PATH = "/api/auth/sso";

function signInPage(error: string): string {
  return `/?sso_error=${encodeURIComponent(error.slice(0, 200))}`;
}

async function completeLogin(c: Context<AppEnv>, o: SsoOutcome): Promise<void> {
  const ctx = requestTenant(c);
  const role = await loadRole(ctx.db, ctx.tenant.id, o.roleId);
  const login = await startLogin(c, {
    principalType: "tenant_user",
    userId: o.userId,
    tenantId: ctx.tenant.id,
    email: o.email,
    userName: o.name,
    roleName: role?.name ?? "",
    pendingStep: null,
  });
  await userStore(ctx).change(o.userId, { lastLogin: new Date() });
  await audit(c, {
    type: "user.login",
    action: "login",
    description: `${o.email} logged in through ${o.provider.displayName}`,
    userId: o.userId,
    metadata: {
      loginId: login.loginId,
      method: "sso",
      provider_id: o.provider.id,
      mfa: o.mfa,
      jit_created: o.created,
    },
  });
}

export const ssoSignInRoutes = new Hono<AppEnv>()
  .get(
    "/providers",
    op({
      tag: TAG,
      summary: "The single sign-on options of this tenant's sign-in page",
      description: "`sso_enabled` true means password sign-in is refused but for the break-glass account.",
      access: "public (tenant host)",
      responses: { 200: SsoSignInOptions },
      errors: ["TENANT_NOT_FOUND"],
    }),
    async (c) => {
      const ctx = requestTenant(c);
      const [rows, org] = await Promise.all([ssoStore(ctx).list(), loadOrganization(ctx.db, ctx.tenant.id)]);
      return c.json({
        sso_enabled: org.settings.sso_enabled,
        providers: rows
          .filter((r) => r.enabled)
          .map((r) => ({ id: r.id, type: r.type, preset: r.preset, display_name: r.displayName })),
      });
    },
  )
  .post(
    "/start",
    op({
      tag: TAG,
      summary: "Start a single sign-on",
      description:
        "Answers the identity provider's authorization URL (code flow with PKCE, state and nonce kept " +
        "server-side for 10 minutes) and sets the short-lived `sso_state` cookie; send the browser there.",
      access: "public (tenant host)",
      body: SsoStartBody,
      responses: { 200: SsoStartAnswer },
      errors: ["NOT_FOUND", "BAD_GATEWAY", "VALIDATION_ERROR", "TENANT_NOT_FOUND"],
    }),
    async (c) => {
      const body = await readJson(c, SsoStartBody);
      const ctx = requestTenant(c);
      const { authorizationUrl, state } = await startSignIn(ctx, {
        providerId: body.provider_id,
        returnTo: body.return_to,
        redirectUri: callbackUrl(c, ctx.tenant.id),
        cliRedirect: body.cli_redirect,
      });
      setCookie(c, STATE_COOKIE, state, {
        httpOnly: true,
        sameSite: "Lax",
        secure: c.env.ENVIRONMENT !== "development",
        path: COOKIE_PATH,
        maxAge: AUTH_REQUEST_TTL_MS / 1000,
      });
      return c.json({ authorization_url: authorizationUrl });
    },
  )
  .get(
    "/callback",
    op({
      tag: TAG,
      summary: "The identity provider's redirect back (OIDC callback)",
      description:
        "Redirects (303) into the console with the `sid` cookie set, or to the sign-in page with " +
        "`?sso_error=` saying why not.",
      access: "public (tenant host; the browser that started the sign-in)",
      query: z.object({
        code: z.string().optional(),
        state: z.string().optional(),
        error: z.string().optional(),
        tenantId: z.string().optional(),
      }),
      responses: { 303: null },
      errors: ["TENANT_NOT_FOUND"],
    }),
    async (c) => {
      const ctx = requestTenant(c);
      const stateCookie = getCookie(c, STATE_COOKIE);
      const forward = await cliForward(ctx, new URL(c.req.url), stateCookie);
      if (forward) return c.redirect(forward, 303);
      deleteCookie(c, STATE_COOKIE, { path: COOKIE_PATH });
      try {
        const org = await loadOrganization(ctx.db, ctx.tenant.id);
        if (!ipAllowed(c.var.clientIp, org.settings.allowed_ip_ranges))
          throw new SsoFailure("the address is outside the allowed IP ranges");
        const outcome = await finishSignIn(ctx, { callback: new URL(c.req.url), stateCookie });
        await completeLogin(c, outcome);
        return c.redirect(outcome.returnTo, 303);
      } catch (err) {
        if (!(err instanceof SsoFailure)) throw err;
        const email = err.who.email ?? "(unknown)";
        await auditFailedLogin(c, {
          email,
          reason: `sso: ${err.reason}`,
          userId: err.who.userId ?? null,
          description: `Single sign-on refused for ${email}: ${err.reason}`,
        });
        return c.redirect(signInPage(err.reason), 303);
      }
    },
  );
