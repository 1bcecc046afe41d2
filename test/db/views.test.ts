// auth.v_active_sessions and monitoring.v_dashboard_summary return the right numbers on seeded rows
// (in a database of their own, so other tests' rows cannot change the counts).
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { dropDatabase, ensureDatabase, migratePlatform } from "../../db/node.ts";

const name = `views_${process.pid}_${Date.now()}`;
let client: pg.Client;

beforeAll(async () => {
  const admin = inject("pgAdminUrl");
  await ensureDatabase(admin, name);
  const url = admin.replace(/\/postgres$/, `/${name}`);
  await migratePlatform(url);
  client = new pg.Client({ connectionString: url });
  await client.connect();
});

afterAll(async () => {
  await client.end();
  await dropDatabase(inject("pgAdminUrl"), name);
});

async function tenant(status: string, deleted = false): Promise<string> {
  const r = await client.query<{ id: string }>(
    `insert into command.tenants (company_name, subdomain, status, data_key_wrapped, master_key_id, deleted_at)
     values ($1, $1, $2, 'x', 'mk', $3) returning id`,
    [`t-${Math.random().toString(36).slice(2)}`, status, deleted ? new Date() : null],
  );
  return r.rows[0]?.id ?? "";
}

async function login(userId: string, opts: { expiresInSec: number; revoked?: boolean; principal?: string }) {
  await client.query(
    `insert into auth.user_sessions (principal_type, user_id, email, role_name, token_hash, expires_at, revoked_at)
     values ($1, $2, 'u@x', 'Admin', $3, now() + make_interval(secs => $4), $5)`,
    [
      opts.principal ?? "tenant_user",
      userId,
      crypto.randomUUID(),
      opts.expiresInSec,
      opts.revoked ? new Date() : null,
    ],
  );
}

describe("auth.v_active_sessions", () => {
  it("lists valid, unexpired, unrevoked logins only", async () => {
    const [u1, u2, u3] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await login(u1, { expiresInSec: 3600 });
    await login(u1, { expiresInSec: 3600 }); // second login of the same user
    await login(u2, { expiresInSec: -10 }); // expired
    await login(u3, { expiresInSec: 3600, revoked: true }); // killed
    await login(u3, { expiresInSec: 3600, principal: "super_admin" });
    const r = await client.query<{ user_id: string }>("select user_id from auth.v_active_sessions");
    expect(r.rows.map((x) => x.user_id).sort()).toEqual([u1, u1, u3].sort());
  });
});

describe("monitoring.v_dashboard_summary", () => {
  it("counts tenants, active users, health of online agents and errors of the last 24 h", async () => {
    const before = (await client.query("select * from monitoring.v_dashboard_summary")).rows[0];
    // No agent has reported: health is unknown (null), never an invented zero.
    expect(before.cpu_load_pct).toBeNull();
    expect(before.active_connections).toBeNull();

    const t1 = await tenant("active");
    await tenant("suspended");
    await tenant("failed");
    await tenant("active", true);
    const agents = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const health = `insert into monitoring.agent_health (agent_id, tenant_id, cpu_load_pct, memory_usage_pct, disk_usage_pct, active_connections, last_heartbeat_at, connected)
                    values ($1, $2, $3, $4, $5, $6, now() - make_interval(secs => $7), $8)`;
    await client.query(health, [agents[0], t1, 10, 40, 70, 2, 5, true]);
    await client.query(health, [agents[1], t1, 31, 61, 51, 3, 10, true]);
    await client.query(health, [agents[2], t1, 99, 99, 99, 50, 600, true]); // silent for 10 min: not counted
    await client.query(health, [crypto.randomUUID(), t1, 99, 99, 99, 50, 1, false]); // link closed: not counted
    await client.query(
      "insert into monitoring.error_log (source, message, created_at) values ('agent', 'a', now() - interval '1 hour')",
    );
    await client.query(
      "insert into monitoring.error_log (source, message, created_at) values ('agent', 'b', now() - interval '2 days')",
    );

    const r = (await client.query("select * from monitoring.v_dashboard_summary")).rows[0];
    expect(r.total_tenants).toBe(before.total_tenants + 2);
    expect(r.active_users).toBe(2); // u1 and the super admin u3 from the test above
    expect(r.cpu_load_pct).toBe(21); // round(avg(10, 31)) = round(20.5)
    expect(r.memory_usage_pct).toBe(51); // round(avg(40, 61))
    expect(r.disk_usage_pct).toBe(61); // round(avg(70, 51)) = round(60.5)
    expect(r.active_connections).toBe(5);
    expect(r.online_agents).toBe(2);
    expect(r.errors_24h).toBe(1);
  });
});
