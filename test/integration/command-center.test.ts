// The Command Center (super admins): every valid login of every tenant, the kill switch (login revoked at
// once, its WebSockets closed, audited on both trails, the answer saying what was closed), the dashboard,
// and every tenant's live remote sessions (a tenant whose database refuses connections is reported, not a
// 500). Killing a live remote session needs an agent: test/e2e/tunnel.test.ts.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { configureNeon, createDb } from "../../db/client.ts";
import { hashToken } from "../../workers/auth/tokens.ts";
import { ViewerSocket } from "../../workers/session-room/viewer-sockets.ts";
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
import { create } from "./connections-fixtures.ts";

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

type Remote = {
  id: string;
  session_id: string;
  type: string;
  status: string;
  tenant_id: string;
  tenant_subdomain: string;
  connection_name: string;
  host: string;
  port: number;
  owner_email: string;
  participants: number;
  bytes_up: number | null;
  bytes_down: number | null;
};
type RemotePage = {
  data: Remote[];
  pagination: { total: number };
  unreadable_tenants: { tenant_id: string; tenant_subdomain: string; message: string }[];
};

/** A session row written as a session start writes it (no live room: listing reads rows only). */
async function sessionRow(
  t: ProvisionedTenant,
  publicId: string,
  status: string,
  conn: string,
  user: string,
) {
  const [row] = await sqlQuery<{ id: string }>(
    `insert into session (session_id, connection_id, initiated_by_user_id, organization_id, status, client_ip, user_agent)
     values ($1, $2, $3, $4, $5, '', '') returning id`,
    [publicId, conn, user, t.id, status],
  );
  return row?.id ?? "";
}

async function adminId(c: Client): Promise<string> {
  return (await c.get<{ principal: { id: string } }>("/api/auth/me")).body.principal.id;
}

describe("GET /api/admin/remote-sessions", () => {
  it("lists the live sessions of two tenants with tenant, type, connection, owner; never ended ones", async () => {
    const root = await superAdmin();
    const [a, b] = [await provision(root), await provision(root)];
    const [ca, cb] = [await tenantClient(a), await tenantClient(b)];
    const connA = await create(ca, { hostname: "db-a.internal.example", port: 2222 });
    const connB = await create(cb, { type: "rdp", hostname: "win-b.internal.example", port: 3389 });
    const [ua, ub] = [await adminId(ca), await adminId(cb)];
    const sshA = await sessionRow(a, "ssh-1", "active", connA.id, ua);
    const tunA = await sessionRow(a, "tunnel-1", "active", connA.id, ua);
    const endedA = await sessionRow(a, "ssh-2", "ended", connA.id, ua);
    const rdpB = await sessionRow(b, "rdp-1", "disconnected", connB.id, ub);
    await sqlQuery(
      `insert into session_viewer (session_id, user_id, organization_id, role, is_active, can_type, can_see, can_share)
       values ($1, $2, $3, 'owner', true, true, true, true)`,
      [sshA, ua, a.id],
    );

    const all = await root.get<RemotePage>("/api/admin/remote-sessions?page_size=200");
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    const byId = new Map(all.body.data.map((s) => [s.id, s]));
    expect(byId.get(sshA)).toMatchObject({
      session_id: "ssh-1",
      type: "ssh",
      status: "active",
      tenant_id: a.id,
      tenant_subdomain: a.subdomain,
      connection_name: connA.name,
      host: "db-a.internal.example",
      port: 2222,
      owner_email: a.adminEmail,
      participants: 1,
      bytes_up: null,
    });
    expect(byId.get(tunA)).toMatchObject({ type: "tunnel", participants: 0 });
    expect(byId.get(rdpB)).toMatchObject({
      type: "rdp",
      status: "disconnected",
      tenant_id: b.id,
      port: 3389,
    });
    expect(byId.has(endedA)).toBe(false);

    const onlyA = await root.get<RemotePage>(`/api/admin/remote-sessions?tenant_id=${a.id}`);
    expect(onlyA.body.data.map((s) => s.session_id).sort()).toEqual(["ssh-1", "tunnel-1"]);
    expect(onlyA.body.pagination.total).toBe(2);
    const paged = await root.get<RemotePage>(
      `/api/admin/remote-sessions?tenant_id=${a.id}&page=2&page_size=1`,
    );
    expect(paged.body.data).toHaveLength(1);
    expect(paged.body.data[0]?.id).not.toBe(onlyA.body.data[0]?.id);
    const tunnels = await root.get<RemotePage>(`/api/admin/remote-sessions?tenant_id=${a.id}&type=tunnel`);
    expect(tunnels.body.data.map((s) => s.id)).toEqual([tunA]);
    expect((await root.get<Err>("/api/admin/remote-sessions?type=ftp")).status).toBe(400);
  });

  it("reports a tenant whose database refuses connections, and still lists the others", async () => {
    const root = await superAdmin();
    const dbName = `cc_unreadable_${Date.now()}`;
    const { username, password } = inject("customerDb");
    const dedicated = await provision(root, {
      driverType: "postgresql",
      dbHost: "127.0.0.1",
      dbPort: inject("pgPort"),
      dbName,
      dbUsername: username,
      dbPassword: password,
    });
    const pooled = await provision(root);
    const c = await tenantClient(pooled);
    const live = await sessionRow(pooled, "ssh-1", "active", (await create(c)).id, await adminId(c));
    configureNeon(env.NEON_WS_PROXY);
    const { pool } = createDb(inject("pgAdminUrl"));
    try {
      await pool.query(`alter database "${dbName}" allow_connections false`);
      const r = await root.get<RemotePage>("/api/admin/remote-sessions?page_size=200");
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.unreadable_tenants).toContainEqual({
        tenant_id: dedicated.id,
        tenant_subdomain: dedicated.subdomain,
        tenant_name: expect.any(String),
        message: "The tenant's database could not be read",
      });
      expect(r.body.data.map((s) => s.id)).toContain(live);
    } finally {
      await pool.query(`alter database "${dbName}" allow_connections true`);
      await pool.end();
    }
  });

  it("is for super admins only; an unknown tenant or session is 404", async () => {
    const root = await superAdmin();
    const t = await provision(root);
    const admin = await tenantClient(t);
    const id = await sessionRow(t, "ssh-1", "active", (await create(admin)).id, await adminId(admin));
    expect((await admin.get<Err>("/api/admin/remote-sessions")).status).toBe(403);
    const refused = await admin.delete<Err>(`/api/admin/remote-sessions/${t.id}/${id}`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("FORBIDDEN");
    expect((await new Client().get<Err>("/api/admin/remote-sessions")).status).toBe(401);
    const nobody = "00000000-0000-4000-8000-000000000000";
    for (const path of [`${t.id}/${nobody}`, `${nobody}/${id}`, `${t.id}/nope`, `nope/${id}`]) {
      const r = await root.delete<Err>(`/api/admin/remote-sessions/${path}`);
      expect(r.status, path).toBe(404);
      expect(r.body.error.code).toBe("NOT_FOUND");
    }
    // Another tenant's id with this session's id: not found there either.
    const other = await provision(root);
    expect((await root.delete<Err>(`/api/admin/remote-sessions/${other.id}/${id}`)).status).toBe(404);
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
