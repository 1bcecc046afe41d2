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
import { ApiError } from "../errors.ts";
import { readJson } from "../lib/validate.ts";
import { requestTenant } from "../tenancy/context.ts";
import { loadOrganization } from "../tenancy/organization.ts";
import { userStore } from "../users/store.ts";
import type { SsoOutcome } from "./admit.ts";
import { SsoFailure } from "./oidc.ts";
import { callbackUrl, samlSp } from "./routes.ts";
import { SamlRejected, samlMetadata } from "./saml.ts";
import { finishSamlSignIn, idpOf, samlCliForward, startSamlSignIn } from "./saml-signin.ts";
import { SsoSignInOptions, SsoStartAnswer, SsoStartBody } from "./schemas.ts";
import { AUTH_REQUEST_TTL_MS, cliForward, enabledProvider, finishSignIn, startSignIn } from "./signin.ts";
import { ssoStore } from "./store.ts";

const TAG = "Auth";
export const STATE_COOKIE = "sso_state";
const COOKIE_PATH = "/api/auth/sso";
const SAML_COOKIE = "sso_saml";
const SAML_COOKIE_PATH = "/api/auth/sso/saml";
const SamlPost = z.object({
  SAMLResponse: z.string().min(1).max(500_000),
  RelayState: z.string().optional(),
});

/** The console's sign-in page saying why a sign-in was refused (and, for SAML, the stable reason). */
function signInPage(error: string, reason?: string): string {
  const why = reason ? `&sso_reason=${encodeURIComponent(reason)}` : "";
  return `/?sso_error=${encodeURIComponent(error.slice(0, 200))}${why}`;
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
        "Answers the identity provider's authorization URL (OIDC: code flow with PKCE, state and nonce " +
        "kept server-side for 10 minutes, the short-lived `sso_state` cookie; SAML: an AuthnRequest in " +
        "the HTTP-Redirect binding, its id kept for 10 minutes and in the `sso_saml` cookie); send the " +
        "browser there.",
      access: "public (tenant host)",
      body: SsoStartBody,
      responses: { 200: SsoStartAnswer },
      errors: ["NOT_FOUND", "BAD_GATEWAY", "VALIDATION_ERROR", "TENANT_NOT_FOUND"],
    }),
    async (c) => {
      const body = await readJson(c, SsoStartBody);
      const ctx = requestTenant(c);
      const provider = await enabledProvider(ctx, body.provider_id);
      if (provider.type === "saml") {
        const saml = await startSamlSignIn(ctx, provider, {
          sp: samlSp(c, ctx.tenant.id),
          returnTo: body.return_to,
          cliRedirect: body.cli_redirect,
        });
        // The IdP answers with a cross-site POST: only a SameSite=None cookie comes along with it.
        setCookie(c, SAML_COOKIE, saml.requestId, {
          httpOnly: true,
          sameSite: "None",
          secure: true,
          path: SAML_COOKIE_PATH,
          maxAge: AUTH_REQUEST_TTL_MS / 1000,
        });
        return c.json({ authorization_url: saml.authorizationUrl });
      }
      const { authorizationUrl, state } = await startSignIn(ctx, provider, {
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
  )
  // SAML: the assertion consumer service and the service provider's metadata.
  .post(
    "/saml/acs",
    op({
      tag: TAG,
      summary: "The SAML assertion consumer service (HTTP-POST binding)",
      description:
        "Takes the IdP's form post (`SAMLResponse`, `RelayState`). Checks the XML signature (Response or " +
        "Assertion), issuer, audience, Destination and Recipient, the time window, that InResponseTo is " +
        "the request this browser started (`sso_saml` cookie) and that the assertion was never used " +
        "before. Redirects (303) into the console with the `sid` cookie set; a refusal, audited, " +
        "redirects (303) to the sign-in page with `?sso_error=` saying why and `sso_reason=` (signature, " +
        "audience, time_window, in_response_to, issuer, destination, recipient, replayed, idp_status, " +
        "malformed, refused), as the OIDC callback does: the caller is a browser, never shown JSON. " +
        "An answer to a CLI sign-in posted by a browser without the cookie is redirected (307, the " +
        "browser posts it on) to the CLI's loopback listener, which presents it here with the cookie.",
      access: "public (tenant host; the browser that started the sign-in)",
      responses: { 303: null, 307: null },
      errors: ["VALIDATION_ERROR", "TENANT_NOT_FOUND"],
    }),
    async (c) => {
      const ctx = requestTenant(c);
      const form = SamlPost.safeParse(await c.req.parseBody().catch(() => ({})));
      if (!form.success) throw new ApiError("VALIDATION_ERROR", "Expected a form post with SAMLResponse");
      const requestCookie = getCookie(c, SAML_COOKIE);
      // A CLI's sign-in: the browser posts the answer on to the CLI's listener (307 keeps the POST).
      const forward = await samlCliForward(ctx, form.data.SAMLResponse, requestCookie);
      if (forward) return c.redirect(forward, 307);
      deleteCookie(c, SAML_COOKIE, { path: SAML_COOKIE_PATH, secure: true, sameSite: "None" });
      try {
        const org = await loadOrganization(ctx.db, ctx.tenant.id);
        if (!ipAllowed(c.var.clientIp, org.settings.allowed_ip_ranges))
          throw new SsoFailure("the address is outside the allowed IP ranges");
        const outcome = await finishSamlSignIn(ctx, {
          sp: samlSp(c, ctx.tenant.id),
          samlResponse: form.data.SAMLResponse,
          requestCookie,
        });
        await completeLogin(c, outcome);
        return c.redirect(outcome.returnTo, 303);
      } catch (err) {
        if (!(err instanceof SsoFailure)) throw err;
        const reason = err instanceof SamlRejected ? err.kind : "refused";
        const email = err.who.email ?? "(unknown)";
        await auditFailedLogin(c, {
          email,
          reason: `sso: saml ${reason}`,
          userId: err.who.userId ?? null,
          description: `SAML single sign-on refused for ${email}: ${err.reason}`,
        });
        return c.redirect(signInPage(err.reason, reason), 303);
      }
    },
  )
  .get(
    "/saml/metadata",
    op({
      tag: TAG,
      summary: "The SAML service provider's metadata (give it to the IdP)",
      description:
        "EntityDescriptor with this tenant's entity id (this URL) and ACS URL. NOT_FOUND when the " +
        "organization has no SAML provider.",
      access: "public (tenant host)",
      responses: { 200: { media: "application/samlmetadata+xml", description: "SAML 2.0 metadata" } },
      errors: ["NOT_FOUND", "TENANT_NOT_FOUND"],
    }),
    async (c) => {
      const ctx = requestTenant(c);
      const row = await ssoStore(ctx).byType("saml");
      if (!row) throw new ApiError("NOT_FOUND", "This organization has no SAML provider");
      return c.body(samlMetadata(samlSp(c, ctx.tenant.id), idpOf(row)), 200, {
        "content-type": "application/samlmetadata+xml; charset=utf-8",
      });
    },
  );
