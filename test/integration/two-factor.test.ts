// TOTP 2FA: enrolment (otpauth URI), verification with a real code, login with a code or a one-time
// recovery code, disabling; require_2fa confines every login and token to enrolment until it is done.
import * as OTPAuth from "otpauth";
import { beforeAll, describe, expect, it } from "vitest";
import {
  Client,
  createUser,
  loginAs,
  type ProvisionedTenant,
  provision,
  sqlQuery,
  superAdmin,
  tenantClient,
  uniqueIp,
} from "../support/api.ts";

type Err = { error: { code: string; message: string } };
type Enrol = { secret: string; otpauth_uri: string };
type AuditRows = { data: { event_type: string; metadata: Record<string, unknown> }[] };

function code(secret: string, offsetSteps = 0): string {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 });
  return totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 });
}

/** Enrols the logged-in user of `c`; returns the secret and the recovery codes. */
async function enrol(c: Client): Promise<{ secret: string; recoveryCodes: string[] }> {
  const e = await c.post<Enrol>("/api/auth/2fa/enroll");
  expect(e.status).toBe(200);
  const v = await c.post<{ recovery_codes: string[] }>("/api/auth/2fa/verify", { code: code(e.body.secret) });
  expect(v.status).toBe(200);
  return { secret: e.body.secret, recoveryCodes: v.body.recovery_codes };
}

let t: ProvisionedTenant;
let admin: Client;

beforeAll(async () => {
  t = await provision(await superAdmin());
  admin = await tenantClient(t);
});

describe("TOTP enrolment", () => {
  it("hands out an otpauth URI, refuses a wrong code, enables with a real one; the secret is encrypted at rest", async () => {
    const u = await createUser(admin, "Technician");
    const c = await loginAs(t, u);
    const e = await c.post<Enrol>("/api/auth/2fa/enroll");
    expect(e.status).toBe(200);
    const uri = new URL(e.body.otpauth_uri);
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.host).toBe("totp");
    expect(decodeURIComponent(uri.pathname)).toBe(`/Nostromo:${u.email}`);
    expect(uri.searchParams.get("secret")).toBe(e.body.secret);
    expect(uri.searchParams.get("issuer")).toBe("Nostromo");
    expect(uri.searchParams.get("digits")).toBe("6");
    expect(uri.searchParams.get("period")).toBe("30");

    const wrong = await c.post<Err>("/api/auth/2fa/verify", { code: code(e.body.secret, 10) });
    expect(wrong.status).toBe(400);
    const ok = await c.post<{ enabled: boolean; recovery_codes: string[] }>("/api/auth/2fa/verify", {
      code: code(e.body.secret),
    });
    expect(ok.status).toBe(200);
    expect(ok.body.enabled).toBe(true);
    expect(ok.body.recovery_codes).toHaveLength(10);
    expect(new Set(ok.body.recovery_codes).size).toBe(10);

    const [row] = await sqlQuery<{
      two_factor_enabled: boolean;
      two_factor_secret: string;
      two_factor_recovery_codes: string[];
    }>(`select two_factor_enabled, two_factor_secret, two_factor_recovery_codes from "user" where id = $1`, [
      u.id,
    ]);
    expect(row?.two_factor_enabled).toBe(true);
    expect(row?.two_factor_secret).not.toContain(e.body.secret);
    for (const rc of ok.body.recovery_codes)
      expect(JSON.stringify(row?.two_factor_recovery_codes)).not.toContain(rc);
    // Nothing secret comes back through the users API.
    const seen = await admin.get(`/api/users/${u.id}`);
    expect(JSON.stringify(seen.body)).not.toMatch(/secret|recovery|password/i);
    expect((seen.body as { two_factor_enabled: boolean }).two_factor_enabled).toBe(true);

    const again = await c.post<Err>("/api/auth/2fa/enroll");
    expect(again.status).toBe(409);
    const audit = await admin.get<AuditRows>(`/api/audit?type=user.2fa.enabled&user=${u.id}`);
    expect(audit.body.data).toHaveLength(1);
  });

  it("verify without enrolling first is an invalid state", async () => {
    const u = await createUser(admin, "Observer");
    const c = await loginAs(t, u);
    const r = await c.post<Err>("/api/auth/2fa/verify", { code: "123456" });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe("INVALID_STATE");
  });
});

describe("login with 2FA", () => {
  it("needs the code; a wrong code is a failed login (audited); the right one logs in", async () => {
    const u = await createUser(admin, "Technician");
    const { secret } = await enrol(await loginAs(t, u));
    const c = new Client(`${t.subdomain}.localhost`, uniqueIp());
    const none = await c.login(u.email, u.password);
    expect(none.status).toBe(401);
    expect((none.body as Err).error.code).toBe("TWO_FACTOR_REQUIRED");
    const wrong = await c.login(u.email, u.password, { totp: code(secret, 10) });
    expect(wrong.status).toBe(401);
    expect((wrong.body as Err).error.code).toBe("INVALID_CREDENTIALS");
    const badPassword = await c.login(u.email, "not-the-password", { totp: code(secret) });
    expect(badPassword.status).toBe(401);
    const ok = await c.login(u.email, u.password, { totp: code(secret) });
    expect(ok.status).toBe(200);
    expect((ok.body as { pending_step: string | null }).pending_step).toBeNull();
    const failed = await admin.get<AuditRows>(`/api/audit?type=user.login.failed&user=${u.id}`);
    expect(failed.body.data.map((a) => a.metadata.reason)).toEqual(
      expect.arrayContaining(["wrong TOTP code", "2fa_required"]),
    );
  });

  it("a recovery code logs in exactly once", async () => {
    const u = await createUser(admin, "Observer");
    const { recoveryCodes } = await enrol(await loginAs(t, u));
    const rc = recoveryCodes[3] as string;
    const first = await new Client(`${t.subdomain}.localhost`, uniqueIp()).login(u.email, u.password, {
      recovery_code: rc.toUpperCase(),
    });
    expect(first.status).toBe(200);
    const second = await new Client(`${t.subdomain}.localhost`, uniqueIp()).login(u.email, u.password, {
      recovery_code: rc,
    });
    expect(second.status).toBe(401);
    const other = await new Client(`${t.subdomain}.localhost`, uniqueIp()).login(u.email, u.password, {
      recovery_code: recoveryCodes[4] as string,
    });
    expect(other.status).toBe(200);
    const [row] = await sqlQuery<{ n: number }>(
      `select jsonb_array_length(two_factor_recovery_codes) as n from "user" where id = $1`,
      [u.id],
    );
    expect(row?.n).toBe(8);
  });

  it("disables with a valid code (audited); then the password alone logs in again", async () => {
    const u = await createUser(admin, "Observer");
    const c = await loginAs(t, u);
    const { secret } = await enrol(c);
    expect((await c.post<Err>("/api/auth/2fa/disable", { code: code(secret, 10) })).status).toBe(401);
    const off = await c.post<{ enabled: boolean }>("/api/auth/2fa/disable", { code: code(secret) });
    expect(off.status).toBe(200);
    expect(off.body.enabled).toBe(false);
    expect((await new Client(`${t.subdomain}.localhost`, uniqueIp()).login(u.email, u.password)).status).toBe(
      200,
    );
    const [row] = await sqlQuery(
      `select two_factor_secret, two_factor_recovery_codes from "user" where id = $1`,
      [u.id],
    );
    expect(row).toEqual({ two_factor_secret: null, two_factor_recovery_codes: null });
    const audit = await admin.get<AuditRows>(`/api/audit?type=user.2fa.disabled&user=${u.id}`);
    expect(audit.body.data).toHaveLength(1);
  });
});

describe("require_2fa", () => {
  it("confines users without 2FA — logins and tokens — to enrolment until they enrol", async () => {
    const own = await provision(await superAdmin());
    const a = await tenantClient(own);
    const tech = await createUser(a, "Technician");
    const techToken = (
      await (await loginAs(own, tech)).post<{ token: string }>("/api/auth/tokens", { name: "t" })
    ).body.token;
    expect((await a.patch("/api/settings", { settings: { require_2fa: true } })).status).toBe(200);

    const c = new Client(`${own.subdomain}.localhost`);
    const login = await c.login(tech.email, tech.password);
    expect(login.status).toBe(200);
    expect((login.body as { pending_step: string }).pending_step).toBe("2fa_enroll");
    for (const [method, path] of [
      ["GET", "/api/users"],
      ["GET", "/api/settings"],
      ["GET", "/api/audit"],
      ["GET", "/api/roles"],
      ["GET", "/api/auth/tokens"],
      ["POST", "/api/auth/tokens"],
      ["PATCH", "/api/auth/me"],
    ] as const) {
      const r = await c.call<Err>(method, path, method === "GET" ? {} : { body: { name: "x" } });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body.error.code).toBe("TWO_FACTOR_ENROLLMENT_REQUIRED");
    }
    const me = await c.get<{ principal: { pending_step: string } }>("/api/auth/me");
    expect(me.status).toBe(200);
    expect(me.body.principal.pending_step).toBe("2fa_enroll");
    // A token made before the rule is held to it as well.
    const byToken = new Client(`${own.subdomain}.localhost`);
    byToken.bearer = techToken;
    expect((await byToken.get<Err>("/api/users")).body.error.code).toBe("TWO_FACTOR_ENROLLMENT_REQUIRED");
    // The admin who switched it on has no 2FA either: they too must enrol now.
    expect((await a.get<Err>("/api/users")).body.error.code).toBe("TWO_FACTOR_ENROLLMENT_REQUIRED");

    const { secret } = await enrol(c);
    expect((await c.get("/api/users")).status).toBe(200);
    expect((await byToken.get("/api/users")).status).toBe(200);
    // While the organization requires it, 2FA cannot be switched off.
    const off = await c.post<Err>("/api/auth/2fa/disable", { code: code(secret) });
    expect(off.status).toBe(403);
    // The next login needs the code.
    const next = await new Client(`${own.subdomain}.localhost`, uniqueIp()).login(tech.email, tech.password);
    expect((next.body as Err).error.code).toBe("TWO_FACTOR_REQUIRED");
  });
});
