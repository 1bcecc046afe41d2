// The control plane's agent statements for the API: a tenant's agents (command.agents, with their health
// from monitoring.agent_health) and enrolment tokens, scoped to the tenant by construction; and the
// enrolment steps, which come before any tenant is known (the one-time token names it). The AgentLink
// object keeps its own writes of link state and metrics (workers/agent-link/store.ts).
import { and, count, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { agentEnrollmentTokens, agents } from "../../db/schema/control/agents.ts";
import { agentHealth } from "../../db/schema/control/monitoring.ts";
import { type PageQuery, pageOffset } from "../contract/schemas.ts";
import { scoped } from "../tenancy/scoped.ts";

export interface ControlContext {
  tenant: { id: string };
  control: Db;
}

const listColumns = {
  id: agents.id,
  name: agents.name,
  status: agents.status,
  hostname: agents.hostname,
  os: agents.os,
  version: agents.version,
  hostFacts: agents.hostFacts,
  lastSeenAt: agents.lastSeenAt,
  lastConnectedAt: agents.lastConnectedAt,
  revokedAt: agents.revokedAt,
  createdAt: agents.createdAt,
  connected: agentHealth.connected,
  lastHeartbeatAt: agentHealth.lastHeartbeatAt,
  cpuLoadPct: agentHealth.cpuLoadPct,
  memoryUsagePct: agentHealth.memoryUsagePct,
  diskUsagePct: agentHealth.diskUsagePct,
  activeConnections: agentHealth.activeConnections,
  reportedAt: agentHealth.reportedAt,
};

export function agentStore(ctx: ControlContext) {
  const db = ctx.control;
  // The control plane names the tenant tenant_id: the same scoping as every tenant table, on that column.
  const own = scoped(ctx, { organizationId: agents.tenantId });

  return {
    async isActive(id: string): Promise<boolean> {
      const [a] = await db
        .select({ id: agents.id })
        .from(agents)
        .where(own.where(eq(agents.id, id), eq(agents.status, "active")));
      return a !== undefined;
    },

    async list(q: PageQuery) {
      const where = own.where();
      const [rows, [total]] = await Promise.all([
        db
          .select(listColumns)
          .from(agents)
          .leftJoin(agentHealth, eq(agentHealth.agentId, agents.id))
          .where(where)
          .orderBy(desc(agents.createdAt), desc(agents.id))
          .limit(q.page_size)
          .offset(pageOffset(q)),
        db.select({ n: count() }).from(agents).where(where),
      ]);
      return { rows, total: total?.n ?? 0 };
    },

    async find(id: string) {
      const [row] = await db
        .select(listColumns)
        .from(agents)
        .leftJoin(agentHealth, eq(agentHealth.agentId, agents.id))
        .where(own.where(eq(agents.id, id)));
      return row ?? null;
    },

    async revoke(id: string) {
      const [row] = await db
        .update(agents)
        .set({ status: "revoked", revokedAt: new Date() })
        .where(own.where(eq(agents.id, id)))
        .returning({ id: agents.id, hostname: agents.hostname });
      return row ?? null;
    },

    async createToken(values: {
      tokenHash: string;
      name: string | null;
      createdByUserId: string | null;
      expiresAt: Date;
    }): Promise<string> {
      const [row] = await db
        .insert(agentEnrollmentTokens)
        .values({ ...values, tenantId: ctx.tenant.id })
        .returning({ id: agentEnrollmentTokens.id });
      if (!row) throw new Error("enrolment token insert returned nothing");
      return row.id;
    },
  };
}

export type AgentRow = NonNullable<Awaited<ReturnType<ReturnType<typeof agentStore>["find"]>>>;

/** Enrolment and the link's signature check: before them no tenant is known, the token or the agent names it. */
export function enrolmentStore(control: Db) {
  return {
    async tenantOfToken(tokenHash: string): Promise<string | null> {
      const [row] = await control
        .select({ tenantId: agentEnrollmentTokens.tenantId })
        .from(agentEnrollmentTokens)
        .where(eq(agentEnrollmentTokens.tokenHash, tokenHash));
      return row?.tenantId ?? null;
    },

    async activeAgents(tenantId: string): Promise<number> {
      const [row] = await control
        .select({ n: count() })
        .from(agents)
        .where(and(eq(agents.tenantId, tenantId), eq(agents.status, "active")));
      return row?.n ?? 0;
    },

    /** Claiming the token and checking it are one statement: two racing enrolments cannot both win. */
    async claim(tokenHash: string) {
      const [row] = await control
        .update(agentEnrollmentTokens)
        .set({ usedAt: new Date() })
        .where(
          and(
            eq(agentEnrollmentTokens.tokenHash, tokenHash),
            isNull(agentEnrollmentTokens.usedAt),
            gt(agentEnrollmentTokens.expiresAt, sql`now()`),
          ),
        )
        .returning({
          id: agentEnrollmentTokens.id,
          tenantId: agentEnrollmentTokens.tenantId,
          name: agentEnrollmentTokens.name,
        });
      return row ?? null;
    },

    async insertAgent(values: {
      tenantId: string;
      name: string;
      publicKey: string;
      hostname: string;
      os: string;
      version: string;
    }): Promise<string> {
      const [row] = await control.insert(agents).values(values).returning({ id: agents.id });
      if (!row) throw new Error("agent insert returned nothing");
      return row.id;
    },

    async tokenUsedBy(tokenId: string, agentId: string): Promise<void> {
      await control
        .update(agentEnrollmentTokens)
        .set({ usedByAgentId: agentId })
        .where(eq(agentEnrollmentTokens.id, tokenId));
    },

    /** What the link check needs of an agent: its key, its state and its tenant. */
    async credential(agentId: string) {
      const [row] = await control
        .select({ publicKey: agents.publicKey, status: agents.status, tenantId: agents.tenantId })
        .from(agents)
        .where(eq(agents.id, agentId));
      return row ?? null;
    },
  };
}
