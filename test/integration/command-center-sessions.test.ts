// The Command Center (super admins), every tenant's live remote sessions: listed with tenant, type,
// connection and owner (never ended ones); a tenant whose database refuses connections is reported, not a
// 500; for super admins only. Logins, the kill switch and the dashboard: command-center.test.ts.
// Killing a live remote session needs an agent: test/e2e/tunnel.test.ts.
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { configureNeon, createDb } from "../../db/client.ts";
import {
  Client,
  type ProvisionedTenant,
  provision,
  sqlQuery,
  superAdmin,
  tenantClient,
} from "../support/api.ts";
import { create } from "./connections-fixtures.ts";

type Err = { error: { code: string } };
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
