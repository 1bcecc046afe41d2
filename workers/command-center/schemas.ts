// The Command Center's contract (nostromo-command seed): the logins of every tenant, the kill switch's
// answer, and the seed's DashboardSummary with its SystemHealth, field names as the seed writes them.
import { z } from "zod";
import { Id, pageQuery, pageSchema, Timestamp } from "../contract/schemas.ts";

export const LoginQuery = pageQuery.extend({
  tenant_id: Id.optional().describe("Only the logins of this tenant"),
});
export type LoginQuery = z.output<typeof LoginQuery>;

export const ActiveLogin = z
  .object({
    /** The login's id: what the kill switch takes (DELETE /api/sessions/:id). */
    id: Id,
    principal_type: z.enum(["super_admin", "tenant_user"]),
    user_id: Id,
    email: z.string(),
    user_name: z.string(),
    role: z.string(),
    /** Null for a platform super admin. */
    tenant_id: Id.nullable(),
    tenant_subdomain: z.string().nullable(),
    tenant_name: z.string().nullable(),
    ip_address: z.string(),
    user_agent: z.string(),
    started_at: Timestamp,
    last_seen_at: Timestamp,
    expires_at: Timestamp,
  })
  .meta({ id: "ActiveLogin" });
export type ActiveLogin = z.infer<typeof ActiveLogin>;

export const ActiveLoginPage = pageSchema(ActiveLogin);

export const KillResult = z
  .object({
    killed: z.object({
      id: Id,
      email: z.string(),
      tenant_id: Id.nullable(),
      /** True when the login had already ended (logout, expiry, an earlier kill): nothing was revoked. */
      already_ended: z.boolean(),
    }),
    closed: z.object({
      /** Live WebSockets the login had open, closed now. */
      sockets: z.number().int().min(0),
      objects: z.array(z.object({ kind: z.string(), name: z.string(), closed: z.number().int().min(0) })),
      /** Public ids of the remote sessions the login had started, ended now. */
      sessions_ended: z.array(z.string()).optional(),
    }),
  })
  .meta({ id: "KillResult" });
export type KillResult = z.infer<typeof KillResult>;

const pct = z.number().int().nullable();

export const SystemHealth = z
  .object({
    cpu_load_pct: pct,
    memory_usage_pct: pct,
    disk_usage_pct: pct,
    active_connections: pct,
  })
  .meta({
    id: "SystemHealth",
    description: "Averages of the agents reporting in the last minute; null with none",
  });

export const DashboardSummary = z
  .object({
    total_tenants: z.number().int(),
    active_users: z.number().int(),
    system_health: SystemHealth,
    online_agents: z.number().int(),
    errors_24h: z.number().int(),
  })
  .meta({ id: "DashboardSummary" });
export type DashboardSummary = z.infer<typeof DashboardSummary>;
