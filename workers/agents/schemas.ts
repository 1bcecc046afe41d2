// The contract of /api/agents: enrolment tokens (shown once, at creation), the tenant's agents with their
// online state, host facts and latest metrics, and revocation. The enrolment request and answer are the
// agent's wire format (workers/protocol/agent-auth.ts), kept as the agent sends and reads them.
import { z } from "zod";
import { Id, pageQuery, pageSchema, Timestamp } from "../contract/schemas.ts";

export const EnrollmentTokenBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    expires_in_minutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(60),
  })
  .strict();
export type EnrollmentTokenBody = z.output<typeof EnrollmentTokenBody>;

/** The one time the token is shown: only its hash is stored. */
export const EnrollmentToken = z
  .object({ id: Id, token: z.string(), expires_at: Timestamp })
  .meta({ id: "EnrollmentToken" });

export const AgentQuery = pageQuery;

const nullableText = z.string().nullable();
const nullableNumber = z.number().nullable();

export const HostFacts = z.object({
  name: nullableText,
  platform: nullableText,
  arch: nullableText,
  uptime_sec: nullableNumber,
  memory_total_bytes: nullableNumber,
  disk_total_bytes: nullableNumber,
});

export const AgentMetrics = z.object({
  cpu_load_pct: nullableNumber,
  memory_usage_pct: nullableNumber,
  disk_usage_pct: nullableNumber,
  active_connections: z.number().int().nullable(),
  reported_at: Timestamp,
});

export const Agent = z
  .object({
    id: Id,
    name: z.string(),
    status: z.enum(["active", "revoked"]),
    hostname: nullableText,
    os: nullableText,
    version: nullableText,
    host_facts: HostFacts.nullable(),
    online: z.boolean(),
    last_seen_at: Timestamp.nullable(),
    last_connected_at: Timestamp.nullable(),
    last_heartbeat_at: Timestamp.nullable(),
    revoked_at: Timestamp.nullable(),
    created_at: Timestamp,
    /** The latest metrics the agent reported, or null before its first report. */
    metrics: AgentMetrics.nullable(),
  })
  .meta({ id: "Agent" });
export type Agent = z.infer<typeof Agent>;

export const AgentPage = pageSchema(Agent);

export const Revoked = z.object({
  revoked: z.object({ id: Id, sockets_closed: z.number().int().min(0) }),
});
