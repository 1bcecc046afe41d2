// GET /api/admin/monitoring (super admins): each agent's online state, latest metrics and history, filtered
// by tenant, agent and hours; rows are written here as the AgentLink writes them.
import { describe, expect, it } from "vitest";
import { provision, sqlQuery, superAdmin, tenantClient } from "../support/api.ts";

type Agent = {
  id: string;
  name: string;
  status: string;
  tenant: { id: string; subdomain: string };
  online: boolean;
  last_seen_at: string | null;
  latest: Record<string, number | string | null> | null;
  history: { recorded_at: string; resolution: string; cpu_load_pct: number | null }[];
};
type Page = { data: Agent[]; pagination: { page: number; page_size: number; total: number } };

async function agentOf(tenantId: string, name: string): Promise<string> {
  const [a] = await sqlQuery<{ id: string }>(
    `insert into command.agents (tenant_id, name, public_key, last_seen_at) values ($1, $2, 'AAAA', now())
     returning id`,
    [tenantId, name],
  );
  return a?.id as string;
}

describe("GET /api/admin/monitoring", () => {
  it("shows each agent's online state, latest values and history within the hours asked", async () => {
    const root = await superAdmin();
    const t = await provision(root);
    const live = await agentOf(t.id, "live");
    const silent = await agentOf(t.id, "silent");
    await sqlQuery(
      `insert into monitoring.agent_health (agent_id, tenant_id, cpu_load_pct, memory_usage_pct, disk_usage_pct,
         active_connections, connected, reported_at, last_heartbeat_at)
       values ($1, $2, 12.5, 40, 70, 3, true, now(), now())`,
      [live, t.id],
    );
    await sqlQuery(
      `insert into monitoring.agent_metrics (agent_id, tenant_id, resolution, recorded_at, cpu_load_pct)
       values ($1, $2, 'raw', now() - interval '10 minutes', 10), ($1, $2, '1h', now() - interval '5 hours', 20)`,
      [live, t.id],
    );

    const r = await root.get<Page>(`/api/admin/monitoring?tenant_id=${t.id}&hours=1`);
    expect(r.status).toBe(200);
    expect(r.body.pagination).toEqual({ page: 1, page_size: 50, total: 2 });
    const byId = new Map(r.body.data.map((a) => [a.id, a]));
    expect(byId.get(live)).toMatchObject({
      name: "live",
      status: "active",
      tenant: { id: t.id, subdomain: t.subdomain },
      online: true,
      latest: { cpu_load_pct: 12.5, memory_usage_pct: 40, disk_usage_pct: 70, active_connections: 3 },
    });
    expect(byId.get(live)?.history.map((h) => [h.resolution, h.cpu_load_pct])).toEqual([["raw", 10]]);
    expect(byId.get(silent)).toMatchObject({ online: false, latest: null, history: [] });

    const day = await root.get<Page>(`/api/admin/monitoring?agent_id=${live}&hours=24`);
    expect(day.body.data.map((a) => a.id)).toEqual([live]);
    expect(day.body.data[0]?.history.map((h) => h.resolution)).toEqual(["1h", "raw"]);

    const paged = await root.get<Page>(`/api/admin/monitoring?tenant_id=${t.id}&page_size=1&page=2`);
    expect(paged.body.data).toHaveLength(1);
    expect(paged.body.pagination.total).toBe(2);
  });

  it("refuses bad parameters and anyone but a super admin", async () => {
    const root = await superAdmin();
    for (const q of ["hours=0", "hours=100000", "tenant_id=nope", "agent_id=1", "page_size=500"])
      expect((await root.get(`/api/admin/monitoring?${q}`)).status, q).toBe(400);
    const admin = await tenantClient(await provision(root));
    expect((await admin.get("/api/admin/monitoring")).status).toBe(403);
  });
});
