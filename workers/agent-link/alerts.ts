// security.alert audit rows about an agent, in the agent's own tenant (its admins see them in the audit
// trail): a refused frame, an oversized frame, a link cut off. Rate-limited per agent by AlertLimiter so
// a hostile agent cannot grow its tenant's audit trail without bound.
import type { Db } from "../../db/client.ts";
import { auditLog } from "../../db/schema/tenant/audit-log.ts";
import type { AgentIdentity } from "./store.ts";

export interface AgentAlert {
  action: string;
  description: string;
  metadata?: Record<string, unknown>;
  status?: "failure" | "warning";
}

export async function writeAgentAlert(
  db: Db,
  a: AgentIdentity,
  alert: AgentAlert,
  suppressedBefore: number,
): Promise<void> {
  await db.insert(auditLog).values({
    organizationId: a.tenantId,
    userId: null,
    eventType: "security.alert",
    eventCategory: "security",
    action: alert.action,
    description: alert.description.slice(0, 1000),
    metadata: {
      ...alert.metadata,
      agentId: a.agentId,
      ...(suppressedBefore > 0 ? { alertsSuppressedBefore: suppressedBefore } : {}),
    },
    status: alert.status ?? "warning",
  });
}
