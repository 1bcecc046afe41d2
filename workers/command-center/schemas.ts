// The Command Center's contract (nostromo-command seed): the logins of every tenant, the kill switch's
// answer, and the seed's DashboardSummary with its SystemHealth, field names as the seed writes them.
import { z } from "zod";
import { Id, Pagination, pageQuery, pageSchema, Timestamp } from "../contract/schemas.ts";
import { SessionType } from "../sessions/kind.ts";
import { RoomStatus } from "../sessions/schemas.ts";

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

export const RemoteSessionQuery = pageQuery.extend({
  tenant_id: Id.optional().describe("Only the remote sessions of this tenant"),
  type: SessionType.optional(),
});
export type RemoteSessionQuery = z.output<typeof RemoteSessionQuery>;

export const LiveRemoteSession = z
  .object({
    /** The session's id in its tenant: with tenant_id, what the kill takes. */
    id: Id,
    /** The public id per tenant and type (`ssh-3`, `tunnel-1`). */
    session_id: z.string(),
    type: SessionType,
    status: z.enum(["active", "disconnected"]),
    tenant_id: Id,
    tenant_subdomain: z.string(),
    tenant_name: z.string(),
    connection_name: z.string(),
    host: z.string(),
    port: z.number().int(),
    owner_email: z.string(),
    started_at: Timestamp,
    /** People joined to the session's screen now (a tunnel's or an RDP session's own client is not one). */
    participants: z.number().int().min(0),
    /** Bytes client → server and server → client so far where the session counts them (tunnels, RDP and VNC
     * sessions: what the room relayed to and from the agent); else null. */
    bytes_up: z.number().int().nullable(),
    bytes_down: z.number().int().nullable(),
  })
  .meta({ id: "LiveRemoteSession" });
export type LiveRemoteSession = z.infer<typeof LiveRemoteSession>;

export const UnreadableTenant = z
  .object({ tenant_id: Id, tenant_subdomain: z.string(), tenant_name: z.string(), message: z.string() })
  .meta({
    id: "UnreadableTenant",
    description: "A tenant whose database could not be read: its sessions are missing",
  });
export type UnreadableTenant = z.infer<typeof UnreadableTenant>;

export const LiveRemoteSessionPage = z.object({
  data: z.array(LiveRemoteSession),
  pagination: Pagination,
  /** Tenants whose sessions are not in the answer because their database could not be read. */
  unreadable_tenants: z.array(UnreadableTenant),
});

export const RemoteKillResult = z
  .object({
    id: Id,
    session_id: z.string(),
    tenant_id: Id,
    status: RoomStatus,
    /** True when the session had already ended: nothing was left to end. */
    already_ended: z.boolean(),
  })
  .meta({ id: "RemoteKillResult" });

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
