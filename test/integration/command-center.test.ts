// The Command Center (super admins), its logins: every valid login of every tenant, the kill switch
// (login revoked at once, its WebSockets closed, audited on both trails, the answer saying what was
// closed), and the dashboard's counts. Every tenant's live remote sessions: command-center-sessions.test.ts.
// Killing a live remote session needs an agent: test/e2e/tunnel.test.ts.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { hashToken } from "../../workers/auth/tokens.ts";
import { ViewerSocket } from "../../workers/session-room/viewer-sockets.ts";
import {
  Client,
  createUser,
  loginAs,
  provision,
  sqlQuery,
  superAdmin,
  tenantClient,
  uniqueIp,
} from "../support/api.ts";

type Err = { error: { code: string } };
type Login = {
  id: string;
  principal_type: string;
  user_id: string;
  email: string;
  role: string;
  tenant_id: string | null;
  tenant_subdomain: string | null;
  ip_address: string;
  user_agent: string;
  started_at: string;
  last_seen_at: string;
};
type Kill = {
  killed: { id: string; email: string; tenant_id: string; already_ended: boolean };
  closed: { sockets: number; objects: { kind: string; name: string; closed: number }[] };
};
type Dashboard = {
  total_tenants: number;
  active_users: number;
  system_health: Record<string, number | null>;
  online_agents: number;
  errors_24h: number;
};

/** The id of the client's login, as the Command Center lists it (found by the hash of the cookie). */
async function loginIdOf(c: Client): Promise<string> {
  const [row] = await sqlQuery<{ id: string }>(`select id from auth.user_sessions where token_hash = $1`, [
    await hashToken(c.cookie ?? ""),
  ]);
  return row?.id ?? "";
}

describe("GET /api/sessions", () => {
  it("lists the logins of two tenants with user, tenant, role, IP, user agent, started and last seen", async () => {
    const root = await superAdmin();
    const [a, b] = [await provision(root), await provision(root)];
    const techA = await createUser(await tenantClient(a), "Technician");
    const obsB = await createUser(await tenantClient(b), "Observer");
    const ipA = uniqueIp();
    const ipB = "2001:db8::42";
    const ca = await loginAs(a, techA, ipA);
    const cb = await loginAs(b, obsB, ipB);
    const [idA, idB] = [await loginIdOf(ca), await loginIdOf(cb)];

    const all = await root.get<{ data: Login[]; pagination: { total: number } }>(
      "/api/sessions?page_size=200",
    );
    expect(all.status).toBe(200);
    const byId = new Map(all.body.data.map((l) => [l.id, l]));
    expect(byId.get(idA)).toMatchObject({
      principal_type: "tenant_user",
      user_id: techA.id,
      email: techA.email,
      role: "Technician",
      tenant_id: a.id,
      tenant_subdomain: a.subdomain,
      ip_address: ipA,
      user_agent: "nostromo-tests",
    });
    expect(byId.get(idB)).toMatchObject({ role: "Observer", tenant_id: b.id, ip_address: ipB });
    for (const l of [byId.get(idA), byId.get(idB)]) {
      expect(Date.parse(l?.started_at as string)).toBeGreaterThan(Date.now() - 120_000);
      expect(Date.parse(l?.last_seen_at as string)).toBeGreaterThanOrEqual(
        Date.parse(l?.started_at as string),
      );
    }
    expect(all.body.pagination.total).toBeGreaterThanOrEqual(2);

    const onlyA = await root.get<{ data: Login[] }>(`/api/sessions?tenant_id=${a.id}`);
    expect(onlyA.body.data.every((l) => l.tenant_id === a.id)).toBe(true);
    expect(onlyA.body.data.map((l) => l.id)).toContain(idA);
    // Ended logins are not listed.
    await cb.post("/api/auth/logout");
    const onlyB = await root.get<{ data: Login[] }>(`/api/sessions?tenant_id=${b.id}`);
    expect(onlyB.body.data.map((l) => l.id)).not.toContain(idB);
    expect((await root.get("/api/sessions?page_size=1000")).status).toBe(400);
  });

  it("is for super admins only", async () => {
    const t = await provision(await superAdmin());
    const admin = await tenantClient(t);
    expect((await admin.get<Err>("/api/sessions")).status).toBe(403);
    expect((await admin.delete<Err>(`/api/sessions/${await loginIdOf(admin)}`)).status).toBe(403);
    expect((await admin.get<Err>("/api/admin/dashboard")).status).toBe(403);
    expect((await new Client().get<Err>("/api/sessions")).status).toBe(401);
  });
});

describe("DELETE /api/sessions/:id — the kill switch", () => {
  it("ends the login at once, closes its sockets, audits both trails, and says what was closed", async () => {
    const root = await superAdmin();
    const t = await provision(root);
    const u = await createUser(await tenantClient(t), "Technician");
    const victim = await loginAs(t, u);
    const bystander = await loginAs(t, u);
    const loginId = await loginIdOf(victim);

    // A live WebSocket of this login on a SessionRoom, registered the way /api/remote-sessions/:id/ws does.
    // The room's participants part keeps its viewers' sockets in memory (`viewers.viewers`); one is put
    // there directly, through the same ViewerSocket the room accepts viewers with, since opening a real one
    // needs a live session with an agent.
    const room = `kill-test-${loginId}`;
    const stub = env.SESSION_ROOM.get(env.SESSION_ROOM.idFromName(room));
    type Probe = {
      viewers?: { viewers?: Set<{ loginId: string | null; ws: ViewerSocket }> };
      killTestSocket?: WebSocket;
    };
    await runInDurableObject(stub, async (instance) => {
      const room = instance as unknown as Probe;
      const set = room.viewers?.viewers;
      if (!(set instanceof Set))
        throw new Error("SessionRoom no longer keeps its viewers in `viewers.viewers`");
      const pair = new WebSocketPair();
      const ws = new ViewerSocket(pair[1]);
      ws.open({ opened: () => {}, message: () => {}, closed: () => {} });
      set.add({ loginId, ws });
      room.killTestSocket = pair[1];
      // Accepted one turn later (viewer-sockets.ts): wait for it, as a real viewer's socket would be by now.
      await new Promise((r) => setTimeout(r, 10));
    });
    await sqlQuery(
      `insert into auth.login_sockets (login_id, object_kind, object_name) values ($1, 'session_room', $2)`,
      [loginId, room],
    );

    const r = await root.delete<Kill>(`/api/sessions/${loginId}`);
    expect(r.status).toBe(200);
    expect(r.body.killed).toMatchObject({
      id: loginId,
      email: u.email,
      tenant_id: t.id,
      already_ended: false,
    });
    expect(r.body.closed.sockets).toBe(1);
    expect(r.body.closed.objects).toEqual([{ kind: "session_room", name: room, closed: 1 }]);

    const next = await victim.get<Err>("/api/users");
    expect(next.status).toBe(401);
    expect(next.body.error.code).toBe("SESSION_EXPIRED");
    expect((await bystander.get("/api/users")).status).toBe(200);
    const state = await runInDurableObject(
      stub,
      async (instance) => (instance as unknown as Probe).killTestSocket?.readyState,
    );
    expect([WebSocket.CLOSING, WebSocket.CLOSED]).toContain(state);
    const left = await sqlQuery(`select 1 from auth.login_sockets where login_id = $1`, [loginId]);
    expect(left).toHaveLength(0);
    const [row] = await sqlQuery(`select revoked_reason, revoked_by from auth.user_sessions where id = $1`, [
      loginId,
    ]);
    expect(row?.revoked_reason).toBe("killed");

    const platform = await sqlQuery<{
      event_type: string;
      tenant_id: string;
      metadata: { socketsClosed: number };
    }>(
      `select event_type, tenant_id, metadata from command.platform_audit_log where metadata->>'loginId' = $1`,
      [loginId],
    );
    expect(platform).toHaveLength(1);
    expect(platform[0]).toMatchObject({ event_type: "user.login.killed", tenant_id: t.id });
    expect(platform[0]?.metadata.socketsClosed).toBe(1);
    const tenantTrail = await (await tenantClient(t)).get<{ data: { user_id: string; status: string }[] }>(
      "/api/audit?type=user.login.killed",
    );
    expect(tenantTrail.body.data).toHaveLength(1);
    expect(tenantTrail.body.data[0]).toMatchObject({ user_id: u.id, status: "warning" });

    const again = await root.delete<Kill>(`/api/sessions/${loginId}`);
    expect(again.status).toBe(200);
    expect(again.body.killed.already_ended).toBe(true);
  });

  it("an unknown login is 404, a malformed id 404", async () => {
    const root = await superAdmin();
    expect((await root.delete<Err>("/api/sessions/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await root.delete<Err>("/api/sessions/nope")).status).toBe(404);
  });
});

describe("GET /api/admin/dashboard", () => {
  async function independentCounts() {
    const [row] = await sqlQuery<{ tenants: number; users: number; agents: number; errors: number }>(`
      select
        (select count(*)::int from command.tenants where deleted_at is null and status <> 'failed') as tenants,
        (select count(*)::int from (select distinct principal_type, user_id from auth.user_sessions
           where revoked_at is null and expires_at > now()) s) as users,
        (select count(*)::int from monitoring.agent_health where last_heartbeat_at > now() - interval '60 seconds') as agents,
        (select count(*)::int from monitoring.error_log where created_at > now() - interval '24 hours') as errors`);
    return row as { tenants: number; users: number; agents: number; errors: number };
  }

  it("total_tenants, active_users and errors_24h follow the data; health is null with no agent reporting", async () => {
    const root = await superAdmin();
    const d0 = (await root.get<Dashboard>("/api/admin/dashboard")).body;
    expect(Object.keys(d0.system_health).sort()).toEqual([
      "active_connections",
      "cpu_load_pct",
      "disk_usage_pct",
      "memory_usage_pct",
    ]);

    // Other test files run beside this one: each number must lie between two independent counts.
    const t = await provision(root);
    const u = await createUser(await tenantClient(t), "Observer");
    const c = await loginAs(t, u);
    await sqlQuery(`insert into monitoring.error_log (source, message) values ('test', 'dashboard check')`);
    const before = await independentCounts();
    const d1 = (await root.get<Dashboard>("/api/admin/dashboard")).body;
    const after = await independentCounts();
    expect(d1.total_tenants).toBeGreaterThanOrEqual(before.tenants);
    expect(d1.total_tenants).toBeLessThanOrEqual(after.tenants);
    expect(d1.total_tenants).toBeGreaterThan(d0.total_tenants - 1);
    expect(d1.errors_24h).toBeGreaterThanOrEqual(before.errors);
    expect(d1.errors_24h).toBeGreaterThanOrEqual(1);
    expect(d1.active_users).toBeGreaterThanOrEqual(Math.min(before.users, after.users));
    expect(d1.active_users).toBeLessThanOrEqual(Math.max(before.users, after.users));
    if (before.agents === 0 && after.agents === 0) {
      expect(d1.system_health).toEqual({
        cpu_load_pct: null,
        memory_usage_pct: null,
        disk_usage_pct: null,
        active_connections: null,
      });
      expect(d1.online_agents).toBe(0);
    }

    // Killing the user's only login takes them out of active_users.
    const id = await loginIdOf(c);
    const counted = await sqlQuery(`select 1 from auth.v_active_sessions where user_id = $1`, [u.id]);
    expect(counted).toHaveLength(1);
    await root.delete(`/api/sessions/${id}`);
    const gone = await sqlQuery(`select 1 from auth.v_active_sessions where user_id = $1`, [u.id]);
    expect(gone).toHaveLength(0);
  });
});
