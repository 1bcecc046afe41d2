// Single sign-on against a real OpenID Provider (oidc-provider, started by test/support/idp-setup.ts):
// the provider's configuration (secret write-only, discovery test, admin only), the code flow with PKCE
// end to end into a login session with a just-in-time user, group → role mapping at every sign-in, and
// every refusal — a wrong PKCE verifier, a replayed or foreign state, a person disabled at the IdP or here,
// another email domain, missing MFA under require_2fa — audited; password sign-in refused while SSO is
// required, except the break-glass account.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, inject, it } from "vitest";
import {
  Client,
  type ProvisionedTenant,
  provision,
  roleIdOf,
  sqlQuery,
  superAdmin,
  tenantClient,
  unique,
  uniqueIp,
} from "../support/api.ts";
import { IdpBrowser, registerClient, setIdpAccount } from "../support/idp-browser.ts";

type Provider = Record<string, unknown> & { id: string; redirect_uri: string; has_client_secret: boolean };
type Me = { principal: { email: string; role_name: string; role_id: string } };
type AuditRows = {
  data: { event_type: string; action: string; status: string; metadata: Record<string, unknown> }[];
};

const issuer = () => inject("oidcIssuer");

interface Org {
  t: ProvisionedTenant;
  admin: Client;
  provider: Provider;
  roles: { admin: string; technician: string; observer: string };
  secret: string;
}

/** A tenant with domain example.com and an enabled OIDC provider registered at the test IdP. */
async function ssoOrg(): Promise<Org> {
  const t = await provision(await superAdmin());
  const admin = await tenantClient(t);
  expect((await admin.patch("/api/settings", { domain: "example.com" })).status).toBe(200);
  const roles = {
    admin: await roleIdOf(admin, "Admin"),
    technician: await roleIdOf(admin, "Technician"),
    observer: await roleIdOf(admin, "Observer"),
  };
  const redirect = `http://${t.subdomain}.localhost/api/auth/sso/callback`;
  const reg = await registerClient(issuer(), redirect);
  const r = await admin.post<Provider>("/api/sso/providers", {
    preset: "generic",
    display_name: "Test IdP",
    issuer: issuer(),
    client_id: reg.client_id,
    client_secret: reg.client_secret,
    scopes: ["openid", "email", "profile", "groups"],
    role_mapping: [
      { value: "ops-admins", role_id: roles.admin },
      { value: "ops", role_id: roles.technician },
    ],
    default_role_id: roles.observer,
    enabled: true,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(r.body.redirect_uri).toBe(redirect);
  return { t, admin, provider: r.body, roles, secret: reg.client_secret };
}

async function person(account: Record<string, unknown> = {}) {
  const login = unique("idp").toLowerCase();
  const email = `${login}@example.com`;
  await setIdpAccount(issuer(), login, {
    password: "idp-password",
    email,
    name: `Person ${login}`,
    ...account,
  });
  return { login, email };
}

/** Starts a sign-in on the tenant's host: the browser client, its sso_state cookie and the IdP URL. */
async function start(org: Org) {
  const app = new Client(`${org.t.subdomain}.localhost`, uniqueIp());
  const r = await app.post<{ authorization_url: string }>("/api/auth/sso/start", {});
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const state = /sso_state=([^;]+)/.exec(app.lastSetCookie ?? "")?.[1] ?? "";
  expect(state).not.toBe("");
  return { app, state, url: r.body.authorization_url };
}

/**
 * The IdP's redirect handed to the Worker's callback, as the browser would (with its sso_state cookie),
 * without following the Worker's own redirect; a login's `sid` cookie is kept in `app`.
 */
async function callback(app: Client, back: URL, state: string | null) {
  const res = await exports.default.fetch(`http://${app.host}${back.pathname}${back.search}`, {
    headers: { "cf-connecting-ip": app.ip, ...(state ? { cookie: `sso_state=${state}` } : {}) },
    redirect: "manual",
  });
  await res.body?.cancel();
  expect(res.status).toBe(303);
  const sid = /(?:^|,\s*)sid=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  if (sid) app.cookie = sid;
  const location = res.headers.get("location") ?? "";
  return { location, error: new URL(location, "http://x").searchParams.get("sso_error") };
}

async function signIn(org: Org, login: string) {
  const s = await start(org);
  const back = await new IdpBrowser(issuer()).signIn(s.url, login, "idp-password");
  const result = await callback(s.app, back, s.state);
  return { ...result, app: s.app };
}

async function me(app: Client) {
  return app.get<Me>("/api/auth/me");
}

async function auditOf(org: Org, action: string) {
  const r = await org.admin.get<AuditRows>(`/api/audit?page_size=200`);
  return r.body.data.filter((e) => e.action === action);
}

describe("the provider's configuration", () => {
  it("is admin-only, keeps the secret write-only and encrypted, tests discovery", async () => {
    const org = await ssoOrg();
    expect(org.provider.has_client_secret).toBe(true);
    expect(org.provider).not.toHaveProperty("client_secret");
    expect(JSON.stringify(org.provider)).not.toContain(org.secret);
    const [row] = await sqlQuery<{ client_secret_encrypted: string }>(
      "select client_secret_encrypted from sso_provider where id = $1",
      [org.provider.id],
    );
    expect(row?.client_secret_encrypted).toBeTruthy();
    const test = await org.admin.post<{ ok: boolean; token_endpoint: string }>(
      `/api/sso/providers/${org.provider.id}/test`,
    );
    expect(test.body).toMatchObject({ ok: true, token_endpoint: `${issuer()}/token` });
    const broken = await org.admin.patch<Provider>(`/api/sso/providers/${org.provider.id}`, {
      issuer: "http://127.0.0.1:9/nothing",
    });
    expect(broken.status).toBe(200);
    const failed = await org.admin.post<{ ok: boolean; error: string }>(
      `/api/sso/providers/${org.provider.id}/test`,
    );
    expect(failed.body.ok).toBe(false);
    expect(failed.body.error).toMatch(/discovery failed/);
    const dup = await org.admin.post("/api/sso/providers", {
      preset: "google",
      client_id: "x",
      client_secret: "y",
      default_role_id: org.roles.observer,
    });
    expect(dup.status).toBe(409);
    const tech = new Client(`${org.t.subdomain}.localhost`);
    expect((await tech.get("/api/sso/providers")).status).toBe(401);
    const options = await new Client(`${org.t.subdomain}.localhost`).get<{
      providers: { display_name: string }[];
    }>("/api/auth/sso/providers");
    expect(options.body.providers.map((p) => p.display_name)).toEqual(["Test IdP"]);
  });

  it("fills a preset's issuer and claims, refuses a role of another organization", async () => {
    const t = await provision(await superAdmin());
    const admin = await tenantClient(t);
    const observer = await roleIdOf(admin, "Observer");
    const g = await admin.post<Provider>("/api/sso/providers", {
      preset: "google",
      client_id: "cid",
      client_secret: "secret",
      default_role_id: observer,
    });
    expect(g.body).toMatchObject({ issuer: "https://accounts.google.com", role_claim: null, enabled: false });
    const other = await provision(await superAdmin());
    const foreign = await (await tenantClient(other)).post<{ id: string }>("/api/roles", {
      name: "Theirs",
      permissions: [],
    });
    const bad = await admin.patch<{ error: { code: string } }>(`/api/sso/providers/${g.body.id}`, {
      default_role_id: foreign.body.id,
    });
    expect(bad.body.error.code).toBe("VALIDATION_ERROR");
    // A role the provider gives cannot be deleted from under it.
    const mine = await admin.post<{ id: string }>("/api/roles", { name: "Contractors", permissions: [] });
    await admin.patch(`/api/sso/providers/${g.body.id}`, {
      role_mapping: [{ value: "c", role_id: mine.body.id }],
    });
    const held = await admin.delete<{ error: { code: string } }>(`/api/roles/${mine.body.id}`);
    expect(held.status).toBe(409);
    await admin.patch(`/api/sso/providers/${g.body.id}`, { role_mapping: [] });
    expect((await admin.delete(`/api/roles/${mine.body.id}`)).status).toBe(200);
    const okta = await admin.post<{ error: { code: string } }>("/api/sso/providers", {
      preset: "okta",
      client_id: "c",
      client_secret: "s",
      default_role_id: observer,
    });
    expect(okta.status).toBe(400);
  });
});

describe("signing in through the OpenID Provider", () => {
  let org: Org;
  beforeAll(async () => {
    org = await ssoOrg();
  });

  it("creates the person just in time with the mapped role and starts a login session", async () => {
    const p = await person({ groups: ["ops"] });
    const r = await signIn(org, p.login);
    expect(r).toMatchObject({ location: "/", error: null });
    const who = await me(r.app);
    expect(who.status).toBe(200);
    expect(who.body.principal).toMatchObject({ email: p.email, role_name: "Technician" });
    expect((await auditOf(org, "jit_create")).some((e) => e.metadata.via === "sso")).toBe(true);
    const logins = (await auditOf(org, "login")).filter((e) => e.metadata.method === "sso");
    expect(logins.some((e) => e.metadata.jit_created === true)).toBe(true);
  });

  it("changes the role when the person's groups change at the IdP, audited as from claims", async () => {
    const p = await person({ groups: ["ops"] });
    expect((await me((await signIn(org, p.login)).app)).body.principal.role_name).toBe("Technician");
    await setIdpAccount(issuer(), p.login, { groups: ["ops-admins"] });
    expect((await me((await signIn(org, p.login)).app)).body.principal.role_name).toBe("Admin");
    await setIdpAccount(issuer(), p.login, { groups: [] });
    expect((await me((await signIn(org, p.login)).app)).body.principal.role_name).toBe("Observer");
    const changes = await auditOf(org, "role_from_claims");
    expect(changes.filter((e) => e.metadata.to === org.roles.admin).length).toBeGreaterThan(0);
    expect(
      changes.some((e) => e.metadata.from === org.roles.admin && e.metadata.to === org.roles.observer),
    ).toBe(true);
  });

  it("refuses a code redeemed with the wrong PKCE verifier", async () => {
    const p = await person();
    const a = await start(org);
    const b = await start(org);
    // Swap the two sign-ins' stored verifiers: A's code is then redeemed with B's verifier.
    await sqlQuery(
      `update sso_auth_request x set code_verifier_encrypted = y.code_verifier_encrypted
         from sso_auth_request y
        where x.organization_id = $1 and y.organization_id = $1 and x.id <> y.id`,
      [org.t.id],
    );
    const back = await new IdpBrowser(issuer()).signIn(a.url, p.login, "idp-password");
    const r = await callback(a.app, back, a.state);
    expect(r.error).toMatch(/token endpoint refused: invalid_grant/);
    expect((await me(a.app)).status).toBe(401);
    void b;
  });

  it("refuses a state that is not this browser's, and a replayed one", async () => {
    const p = await person();
    const s = await start(org);
    const back = await new IdpBrowser(issuer()).signIn(s.url, p.login, "idp-password");
    expect((await callback(s.app, back, null)).error).toMatch(/not the one this browser started/);
    expect((await callback(s.app, back, "planted-state")).error).toMatch(/not the one this browser started/);
    expect((await callback(s.app, back, s.state)).error).toBeNull();
    expect((await callback(s.app, back, s.state)).error).toMatch(/unknown, used or expired/);
  });

  it("refuses a person disabled at the IdP, and one disabled in Nostromo", async () => {
    const p = await person();
    await setIdpAccount(issuer(), p.login, { disabled: true });
    expect((await signIn(org, p.login)).error).toMatch(/identity provider refused: access_denied/);
    const q = await person();
    expect((await signIn(org, q.login)).error).toBeNull();
    const [u] = await sqlQuery<{ id: string }>(
      'select id from "user" where email = $1 and organization_id = $2',
      [q.email, org.t.id],
    );
    expect((await org.admin.patch(`/api/users/${u?.id}`, { is_active: false })).status).toBe(200);
    const refused = await signIn(org, q.login);
    expect(refused.error).toBe("account disabled in Nostromo");
    expect((await me(refused.app)).status).toBe(401);
  });

  it("refuses an email outside the organization's domain and audits why", async () => {
    const login = unique("idp").toLowerCase();
    await setIdpAccount(issuer(), login, { password: "idp-password", email: `${login}@evil.test` });
    const r = await signIn(org, login);
    expect(r.error).toBe("email domain is not example.com");
    const failed = await org.admin.get<AuditRows>("/api/audit?page_size=200&event_type=user.login.failed");
    expect(JSON.stringify(failed.body.data)).toContain("sso: email domain is not example.com");
  });
});

describe("what the organization requires", () => {
  it("refuses password sign-in while SSO is on, except the break-glass account", async () => {
    const org = await ssoOrg();
    const on = await org.admin.patch("/api/settings", {
      settings: { sso_enabled: true, sso_provider: "generic", sso_break_glass_email: org.t.adminEmail },
    });
    expect(on.status).toBe(200);
    const other = await org.admin.post<{ id: string }>("/api/users", {
      email: `${unique("pw").toLowerCase()}@example.com`,
      password: "user-password-12345",
      name: "Password Person",
      role_id: org.roles.technician,
    });
    expect(other.status).toBe(201);
    const users = await org.admin.get<{ data: { id: string; email: string }[] }>("/api/users?page_size=200");
    const email = users.body.data.find((u) => u.id === other.body.id)?.email ?? "";
    const refused = await new Client(`${org.t.subdomain}.localhost`, uniqueIp()).login(
      email,
      "user-password-12345",
    );
    expect(refused.status).toBe(403);
    expect((refused.body as { error: { code: string } }).error.code).toBe("SSO_REQUIRED");
    const glass = await new Client(`${org.t.subdomain}.localhost`, uniqueIp()).login(
      org.t.adminEmail,
      org.t.adminPassword,
    );
    expect(glass.status).toBe(200);
    expect((await auditOf(org, "sso_break_glass")).length).toBe(1);
    const options = await new Client(`${org.t.subdomain}.localhost`).get<{ sso_enabled: boolean }>(
      "/api/auth/sso/providers",
    );
    expect(options.body.sso_enabled).toBe(true);
  });

  it("under require_2fa, accepts the IdP's MFA (amr) and refuses a password-only IdP login", async () => {
    const org = await ssoOrg();
    expect((await org.admin.patch("/api/settings", { settings: { require_2fa: true } })).status).toBe(200);
    const weak = await person({ amr: ["pwd"] });
    expect((await signIn(org, weak.login)).error).toMatch(/requires 2FA/);
    const strong = await person({ amr: ["pwd", "mfa"] });
    const r = await signIn(org, strong.login);
    expect(r.error).toBeNull();
    const who = await me(r.app);
    expect(who.body.principal).toMatchObject({ email: strong.email });
    // The admin must enrol 2FA now before reading the trail: read it from the database.
    const rows = await sqlQuery<{ metadata: Record<string, unknown> }>(
      "select metadata from audit_log where organization_id = $1 and action = 'login'",
      [org.t.id],
    );
    expect(rows.some((r) => r.metadata.method === "sso" && r.metadata.mfa === true)).toBe(true);
  });
});
