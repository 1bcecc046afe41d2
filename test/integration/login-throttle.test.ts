// Brute force slows the attacker, not the owner: an address hammering one account is refused while the
// owner signs in from elsewhere; a distributed attack refuses unknown callers but lets the owner's known
// address or device through; an Admin can unlock at once (audited, permission-checked). And a login flood
// writes a bounded number of audit rows per minute, with every failure still counted.
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_ROWS_PER_MINUTE } from "../../workers/audit/failed-logins.ts";
import { MAX_FAILURES_PER_ACCOUNT, WINDOW_MS } from "../../workers/auth/throttle.ts";
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

type Err = { error: { code: string; details?: { scope?: string } } };

let t: ProvisionedTenant;
let admin: Client;

beforeAll(async () => {
  t = await provision(await superAdmin());
  admin = await tenantClient(t);
});

const host = () => `${t.subdomain}.localhost`;

describe("throttling per account × address", () => {
  it("an attacker's address hammering an account is refused; the owner from another address still signs in", async () => {
    const u = await createUser(admin, "Technician");
    const attacker = uniqueIp();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push((await new Client(host(), attacker).login(u.email, `guess-${i}`)).status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(statuses.slice(5))).toEqual(new Set([429]));
    const owner = new Client(host(), uniqueIp());
    const r = await owner.login(u.email, u.password);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // The attacker's address stays refused, even with the right password.
    const still = await new Client(host(), attacker).login(u.email, u.password);
    expect(still.status).toBe(429);
    expect((still.body as Err).error.details?.scope).toBe("account_ip");
  });

  it("a distributed attack refuses unknown callers, not the owner's known address or device", async () => {
    const u = await createUser(admin, "Technician");
    const home = uniqueIp();
    const device = new Client(host(), uniqueIp());
    expect((await device.login(u.email, u.password)).status).toBe(200);
    const deviceCookie = /(?:^|,\s*)ndev=([^;]*)/.exec(device.lastSetCookie ?? "")?.[1];
    expect(deviceCookie).toBeTruthy();
    expect((await new Client(host(), home).login(u.email, u.password)).status).toBe(200);
    // Many addresses, a few guesses each; the account-wide count is moved to its bound directly.
    for (let i = 0; i < 5; i++) {
      expect((await new Client(host(), uniqueIp()).login(u.email, `spray-${i}`)).status).toBe(401);
    }
    const now = Date.now();
    await sqlQuery(`update auth.login_attempts set failures = $1 where key = $2 and window_start = $3`, [
      MAX_FAILURES_PER_ACCOUNT,
      `acct:${t.id}:${u.email}`,
      new Date(now - (now % WINDOW_MS)),
    ]);
    const stranger = await new Client(host(), uniqueIp()).login(u.email, u.password);
    expect(stranger.status).toBe(429);
    expect((stranger.body as Err).error.details?.scope).toBe("account");
    // The owner from an address they signed in from before…
    expect((await new Client(host(), home).login(u.email, u.password)).status).toBe(200);
    // …or from a new address with the device cookie of an earlier sign-in.
    const travelling = new Client(host(), uniqueIp());
    const r = await travelling.login(u.email, u.password, {}, { cookie: `ndev=${deviceCookie}` });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // A forged device cookie is worth nothing.
    const forged = await new Client(host(), uniqueIp()).login(
      u.email,
      u.password,
      {},
      {
        cookie: `ndev=${deviceCookie?.replace(/.$/, (ch) => (ch === "A" ? "B" : "A"))}`,
      },
    );
    expect(forged.status).toBe(429);
  });

  it("an Admin unlocks an account at once (audited); others may not", async () => {
    const u = await createUser(admin, "Technician");
    const ip = uniqueIp();
    for (let i = 0; i < 6; i++) await new Client(host(), ip).login(u.email, `guess-${i}`);
    expect((await new Client(host(), ip).login(u.email, u.password)).status).toBe(429);
    const tech = await loginAs(t, await createUser(admin, "Technician"));
    expect((await tech.post(`/api/users/${u.id}/unlock`)).status).toBe(403);
    const r = await admin.post<{ cleared_failures: number }>(`/api/users/${u.id}/unlock`);
    expect(r.status).toBe(200);
    expect(r.body.cleared_failures).toBeGreaterThanOrEqual(5);
    expect((await new Client(host(), ip).login(u.email, u.password)).status).toBe(200);
    const audit = await admin.get<{ data: { action: string; metadata: Record<string, unknown> }[] }>(
      "/api/audit?type=user.updated",
    );
    expect(audit.body.data.some((a) => a.action === "unlock" && a.metadata.targetUserId === u.id)).toBe(true);
    expect((await admin.post(`/api/users/00000000-0000-4000-8000-000000000000/unlock`)).status).toBe(404);
  });
});

describe("failed-login auditing is bounded", () => {
  it("the platform trail aggregates a super admin account's failures from one address into one row", async () => {
    const ip = uniqueIp();
    const email = `nobody-${Date.now()}@platform.example`;
    for (let i = 0; i < 3; i++) {
      expect((await new Client("localhost", ip).login(email, `guess-${i}`)).status).toBe(401);
    }
    const rows = await sqlQuery<{ metadata: { count: number; reasons: Record<string, number> } }>(
      `select metadata from command.platform_audit_log where event_type = 'user.login.failed' and actor_email = $1`,
      [email],
    );
    expect(rows.length).toBeLessThanOrEqual(2); // two only if the three attempts straddle a minute
    expect(rows.reduce((n, r) => n + r.metadata.count, 0)).toBe(3);
    expect(rows[0]?.metadata.reasons["unknown account"]).toBeGreaterThan(0);
  });

  it(`a flood of failed logins writes at most ${MAX_ROWS_PER_MINUTE + 1} rows a minute, and counts every attempt`, async () => {
    const flood = await provision(await superAdmin());
    const floodAdmin = await tenantClient(flood);
    const target = await createUser(floodAdmin, "Observer");
    const started = Date.now();
    const attempts = 90;
    const ips = Array.from({ length: 30 }, () => uniqueIp());
    for (let i = 0; i < attempts; i += 6) {
      await Promise.all(
        Array.from({ length: 6 }, (_, j) => {
          const n = i + j;
          const email = n % 3 === 0 ? target.email : `nobody-${n % 40}@example.com`;
          return new Client(`${flood.subdomain}.localhost`, ips[n % ips.length]).login(email, `guess-${n}`);
        }),
      );
    }
    const ended = Date.now();
    const rows = await sqlQuery<{ metadata: { count: number; summary?: boolean } }>(
      `select metadata from audit_log where organization_id = $1 and event_type = 'user.login.failed'`,
      [flood.id],
    );
    console.log(
      `failed-login flood: ${attempts} attempts in ${ended - started} ms → ${rows.length} audit rows`,
    );
    const minutes = Math.floor(ended / 60_000) - Math.floor(started / 60_000) + 1;
    expect(rows.length).toBeLessThanOrEqual((MAX_ROWS_PER_MINUTE + 1) * minutes);
    expect(rows.reduce((n, r) => n + r.metadata.count, 0)).toBe(attempts);
    expect(rows.some((r) => r.metadata.summary)).toBe(true);
  }, 180_000);
});
