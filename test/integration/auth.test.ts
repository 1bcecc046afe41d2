// Logins of tenant users: cookie flags, the auth.user_sessions row, logout, me, CSRF, brute-force throttling
// per account and per IP, deleted/inactive users, expired/revoked cookies, idle timeout, password change.
import { beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../../workers/auth/tokens.ts";
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

type Err = { error: { code: string; message: string; details?: Record<string, unknown> } };
type Me = {
  principal: { id: string; email: string; permissions: string[] };
  csrf_token: string;
};
type AuditRows = {
  data: {
    event_type: string;
    status: string;
    ip_address: string;
    metadata: Record<string, unknown>;
    user_agent: string;
  }[];
};

let t: ProvisionedTenant;
let admin: Client;

beforeAll(async () => {
  t = await provision(await superAdmin());
  admin = await tenantClient(t);
});

// The login's row, found as the server finds it: by the hash of the cookie (its id is never shown).
async function loginRow(c: Client) {
  const [row] = await sqlQuery(`select * from auth.user_sessions where token_hash = $1`, [
    await hashToken(c.cookie ?? ""),
  ]);
  return row as Record<string, unknown>;
}

describe("login, me, logout", () => {
  it("sets an HttpOnly, SameSite=Lax, Secure sid cookie and records the login with IP, user agent, expiry", async () => {
    const u = await createUser(admin, "Technician");
    const c = new Client(`${t.subdomain}.localhost`, uniqueIp());
    const r = await c.login(u.email, u.password);
    expect(r.status).toBe(200);
    const cookie = r.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^sid=[A-Za-z0-9_-]{40,};/);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
    expect((r.body as { csrf_token: string }).csrf_token).toMatch(/^[0-9a-f]{64}$/);

    const row = await loginRow(c);
    expect(row.ip_address).toBe(c.ip);
    expect(row.user_agent).toBe("nostromo-tests");
    expect(row.tenant_id).toBe(t.id);
    expect(row.user_id).toBe(u.id);
    expect(row.role_name).toBe("Technician");
    expect(row.token_hash).not.toBe(c.cookie);
    const ttl = new Date(row.expires_at as string).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(11 * 3600_000);
    expect(ttl).toBeLessThanOrEqual(12 * 3600_000);
    expect(Math.abs(new Date(row.last_activity_at as string).getTime() - Date.now())).toBeLessThan(60_000);

    const logins = await admin.get<AuditRows>(`/api/audit?type=user.login&user=${u.id}`);
    expect(logins.body.data).toHaveLength(1);
    expect(logins.body.data[0]?.ip_address).toBe(c.ip);
  });

  it("me answers who is logged in; logout ends the login, its cookie is then refused as expired", async () => {
    const u = await createUser(admin, "Observer");
    const c = await loginAs(t, u);
    const me = await c.get<Me>("/api/auth/me");
    expect(me.status).toBe(200);
    expect(me.body.principal.email).toBe(u.email);
    expect(me.body.csrf_token).toBe(c.csrf);
    const sid = c.cookie;
    const out = await c.post("/api/auth/logout");
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toMatch(/sid=;.*Max-Age=0/i);
    const again = new Client(c.host, c.ip);
    again.cookie = sid;
    const r = await again.get<Err>("/api/auth/me");
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe("SESSION_EXPIRED");
    const [row] = await sqlQuery(`select revoked_reason from auth.user_sessions where user_id = $1`, [u.id]);
    expect(row?.revoked_reason).toBe("logout");
    const audit = await admin.get<AuditRows>(`/api/audit?type=user.logout&user=${u.id}`);
    expect(audit.body.data).toHaveLength(1);
  });

  it("without a cookie: 401 UNAUTHORIZED; a made-up or expired cookie: 401 SESSION_EXPIRED", async () => {
    const c = new Client(`${t.subdomain}.localhost`);
    expect((await c.get<Err>("/api/users")).body.error.code).toBe("UNAUTHORIZED");
    c.cookie = "made-up-cookie-value";
    const r = await c.get<Err>("/api/users");
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe("SESSION_EXPIRED");

    const u = await createUser(admin, "Observer");
    const live = await loginAs(t, u);
    expect((await live.get("/api/users")).status).toBe(200);
    await sqlQuery(
      `update auth.user_sessions set expires_at = now() - interval '1 second' where user_id = $1`,
      [u.id],
    );
    const expired = await live.get<Err>("/api/users");
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe("SESSION_EXPIRED");
  });

  it("a cookie of tenant A is refused on tenant B's host", async () => {
    const other = await provision(await superAdmin());
    const c = new Client(`${other.subdomain}.localhost`);
    c.cookie = admin.cookie;
    c.csrf = admin.csrf;
    const r = await c.get<Err>("/api/users");
    expect(r.status).toBe(401);
  });
});

describe("CSRF", () => {
  it("refuses a cookie-authenticated change without the x-csrf-token header, or with a wrong one", async () => {
    const u = await createUser(admin, "Technician");
    const c = await loginAs(t, u);
    const csrf = c.csrf;
    c.csrf = null;
    const none = await c.patch<Err>("/api/auth/me", { bio: "no header" });
    expect(none.status).toBe(403);
    expect(none.body.error.code).toBe("CSRF_FAILED");
    c.csrf = "0".repeat(64);
    expect((await c.patch<Err>("/api/auth/me", { bio: "wrong header" })).body.error.code).toBe("CSRF_FAILED");
    c.csrf = csrf;
    expect((await c.patch("/api/auth/me", { bio: "right header" })).status).toBe(200);
    c.csrf = null;
    // Reads need no header.
    expect((await c.get("/api/auth/me")).status).toBe(200);
    const [row] = await sqlQuery(`select bio from "user" where id = $1`, [u.id]);
    expect(row?.bio).toBe("right header");
  });

  it("a bearer token needs no CSRF header", async () => {
    const made = await admin.post<{ token: string }>("/api/auth/tokens", { name: "csrf-exempt" });
    const c = new Client(`${t.subdomain}.localhost`);
    c.bearer = made.body.token;
    expect((await c.patch("/api/auth/me", { bio: "by token" })).status).toBe(200);
  });

  it("logging in again works with a live cookie and no CSRF header", async () => {
    const u = await createUser(admin, "Observer");
    const c = await loginAs(t, u);
    c.csrf = null;
    expect((await c.login(u.email, u.password)).status).toBe(200);
  });
});

describe("bad credentials and throttling", () => {
  it("a wrong password and an unknown email get the same 401, each audited with the reason", async () => {
    const u = await createUser(admin, "Observer");
    const c = new Client(`${t.subdomain}.localhost`, uniqueIp());
    const wrong = await c.login(u.email, "not-the-password");
    const unknown = await c.login(`nobody-${u.email}`, "not-the-password");
    for (const r of [wrong, unknown]) {
      expect(r.status).toBe(401);
      expect((r.body as Err).error.code).toBe("INVALID_CREDENTIALS");
      expect((r.body as Err).error.message).toBe("Wrong email or password");
    }
    const failed = await admin.get<AuditRows>(`/api/audit?type=user.login.failed&user=${u.id}`);
    expect(failed.body.data).toHaveLength(1);
    expect(failed.body.data[0]?.status).toBe("failure");
    expect(failed.body.data[0]?.ip_address).toBe(c.ip);
    expect(failed.body.data[0]?.metadata.reason).toBe("wrong password");
  });

  it("throttles an account × address after 5 failures: 429 with Retry-After for that address only, audited", async () => {
    const u = await createUser(admin, "Observer");
    const ip = uniqueIp();
    for (let i = 0; i < 5; i++) {
      const r = await new Client(`${t.subdomain}.localhost`, ip).login(u.email, `wrong-${i}`);
      expect(r.status).toBe(401);
    }
    const c = new Client(`${t.subdomain}.localhost`, ip);
    const r = await c.login(u.email, u.password);
    expect(r.status).toBe(429);
    expect((r.body as Err).error.code).toBe("RATE_LIMITED");
    expect((r.body as Err).error.details?.scope).toBe("account_ip");
    const retry = Number(r.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    const audit = await admin.get<AuditRows>("/api/audit?type=user.login.failed&page_size=200");
    expect(
      audit.body.data.some((a) => a.metadata.reason === "throttled" && a.metadata.email === u.email),
    ).toBe(true);
    // Another account from the same address, and the same account from another address, are unaffected.
    const other = await createUser(admin, "Observer");
    expect((await c.login(other.email, other.password)).status).toBe(200);
    expect((await new Client(`${t.subdomain}.localhost`, uniqueIp()).login(u.email, u.password)).status).toBe(
      200,
    );
  });

  it("throttles an IP after 20 failures across accounts; another IP still logs in", async () => {
    const ip = uniqueIp();
    const u = await createUser(admin, "Observer");
    for (let i = 0; i < 20; i++) {
      const r = await new Client(`${t.subdomain}.localhost`, ip).login(
        `spray-${i}-${u.email}`,
        "guess-guess",
      );
      expect(r.status).toBe(401);
    }
    const r = await new Client(`${t.subdomain}.localhost`, ip).login(u.email, u.password);
    expect(r.status).toBe(429);
    expect((r.body as Err).error.details?.scope).toBe("ip");
    expect(r.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await new Client(`${t.subdomain}.localhost`, uniqueIp()).login(u.email, u.password)).status).toBe(
      200,
    );
    // 21 logins, each hashing a password on purpose (a failed one as slowly as a good one): a budget for a
    // loaded machine, not a speed goal.
  }, 120_000);

  it("deleted and deactivated users cannot log in, and their live logins end", async () => {
    const gone = await createUser(admin, "Technician");
    const off = await createUser(admin, "Technician");
    const goneClient = await loginAs(t, gone);
    const offClient = await loginAs(t, off);
    expect((await admin.delete(`/api/users/${gone.id}`)).status).toBe(200);
    expect((await admin.patch(`/api/users/${off.id}`, { is_active: false })).status).toBe(200);
    for (const c of [goneClient, offClient]) expect((await c.get("/api/auth/me")).status).toBe(401);
    for (const u of [gone, off]) {
      const r = await new Client(`${t.subdomain}.localhost`, uniqueIp()).login(u.email, u.password);
      expect(r.status).toBe(401);
      expect((r.body as Err).error.code).toBe("INVALID_CREDENTIALS");
    }
    const failed = await admin.get<AuditRows>(`/api/audit?type=user.login.failed&user=${off.id}`);
    expect(failed.body.data[0]?.metadata.reason).toBe("account disabled");
  });
});

describe("idle timeout", () => {
  it("keeps an active login alive by touching last_activity_at", async () => {
    const u = await createUser(admin, "Observer");
    const c = await loginAs(t, u);
    await sqlQuery(
      `update auth.user_sessions set last_activity_at = now() - interval '30 seconds' where user_id = $1`,
      [u.id],
    );
    expect((await c.get("/api/users")).status).toBe(200);
    const row = await loginRow(c);
    expect(Date.now() - new Date(row.last_activity_at as string).getTime()).toBeLessThan(10_000);
  });

  it("ends a login idle for longer than the organization's session_timeout", async () => {
    const own = await provision(await superAdmin());
    const a = await tenantClient(own);
    const tooSmall = await a.patch<Err>("/api/settings", { settings: { session_timeout: 1000 } });
    expect(tooSmall.status).toBe(400);
    expect((await a.patch("/api/settings", { settings: { session_timeout: 60_000 } })).status).toBe(200);
    const u = await createUser(a, "Observer");
    const c = await loginAs(own, u);
    expect((await c.get("/api/users")).status).toBe(200);
    // A minute of inactivity, without waiting a minute: the login's last activity moves back in time.
    await sqlQuery(
      `update auth.user_sessions set last_activity_at = now() - interval '61 seconds' where user_id = $1`,
      [u.id],
    );
    const r = await c.get<Err>("/api/users");
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe("SESSION_EXPIRED");
    const [row] = await sqlQuery(`select revoked_reason from auth.user_sessions where user_id = $1`, [u.id]);
    expect(row?.revoked_reason).toBe("idle_timeout");
    // Inside the timeout the same kind of login lives on.
    const d = await loginAs(own, u);
    await sqlQuery(
      `update auth.user_sessions set last_activity_at = now() - interval '45 seconds' where user_id = $1 and revoked_at is null`,
      [u.id],
    );
    expect((await d.get("/api/users")).status).toBe(200);
  });
});

describe("password change", () => {
  it("needs the current password (throttled, audited), ends every other login, keeps this one", async () => {
    const u = await createUser(admin, "Technician");
    const here = await loginAs(t, u, uniqueIp());
    const there = await loginAs(t, u, uniqueIp());
    const wrong = await here.post<Err>("/api/auth/password", {
      current_password: "not-it-at-all",
      new_password: "a-brand-new-password",
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("INVALID_CREDENTIALS");
    const weak = await here.post<Err>("/api/auth/password", {
      current_password: u.password,
      new_password: "short",
    });
    expect(weak.status).toBe(400);
    const same = await here.post<Err>("/api/auth/password", {
      current_password: u.password,
      new_password: u.password,
    });
    expect(same.status).toBe(400);
    const ok = await here.post<{ other_logins_ended: number }>("/api/auth/password", {
      current_password: u.password,
      new_password: "a-brand-new-password",
    });
    expect(ok.status).toBe(200);
    expect(ok.body.other_logins_ended).toBe(1);
    expect((await here.get("/api/auth/me")).status).toBe(200);
    const gone = await there.get<Err>("/api/auth/me");
    expect(gone.status).toBe(401);
    expect(gone.body.error.code).toBe("SESSION_EXPIRED");
    const fresh = new Client(`${t.subdomain}.localhost`, uniqueIp());
    expect((await fresh.login(u.email, u.password)).status).toBe(401);
    expect((await fresh.login(u.email, "a-brand-new-password")).status).toBe(200);
    const audit = await admin.get<AuditRows>(`/api/audit?type=user.password.changed&user=${u.id}`);
    expect(audit.body.data.map((a) => a.status).sort()).toEqual(["failure", "success"]);
  });
});

describe("profile (PATCH /api/auth/me)", () => {
  it("validates every field and refuses unknown ones", async () => {
    const u = await createUser(admin, "Observer");
    const c = await loginAs(t, u);
    for (const body of [
      { avatar_url: "javascript:alert(1)" },
      { timezone: "Mars/Olympus" },
      { name: "" },
      { bio: "x".repeat(2001) },
      { role_id: "00000000-0000-4000-8000-000000000000" },
    ]) {
      const r = await c.patch<Err>("/api/auth/me", body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    const ok = await c.patch("/api/auth/me", {
      name: "Ripley",
      timezone: "UTC-5",
      avatar_url: "https://cdn.example/ripley.png",
      bio: "Warrant officer",
    });
    expect(ok.status).toBe(200);
    const [row] = await sqlQuery(`select name, timezone, avatar_url, bio from "user" where id = $1`, [u.id]);
    expect(row).toEqual({
      name: "Ripley",
      timezone: "UTC-5",
      avatar_url: "https://cdn.example/ripley.png",
      bio: "Warrant officer",
    });
  });
});
