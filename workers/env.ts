// The Worker's typed environment: bindings (wrangler.toml + secrets) and per-request context variables.
// The configuration is checked with zod once per isolate; a bad one answers 503 CONFIG_INVALID, loudly.
import { z } from "zod";
import type { Db } from "../db/client.ts";
import type { AgentLink } from "./agent-link/agent-link.ts";
import type { Principal } from "./auth/principal.ts";
import type { SessionRoom } from "./session-room/session-room.ts";
import type { TenantScope } from "./tenancy/scope.ts";
import type { TenantRecord } from "./tenancy/tenant-record.ts";

export interface Bindings {
  DATABASE_URL: string;
  /** Local only: host:port of the WebSocket relay to PostgreSQL (infra/dev/ws-relay.ts). */
  NEON_WS_PROXY?: string;
  DB_ENCRYPTION_KEY: string;
  /** During a master-key rotation: the previous key, still accepted for unwrapping. */
  DB_ENCRYPTION_KEY_PREVIOUS?: string;
  NOSTROMO_VERSION: string;
  ENVIRONMENT: string;
  /** Comma-separated hosts that are the platform itself (no tenant), e.g. "nostromo.example,localhost". */
  PLATFORM_HOSTS?: string;
  SESSION_ROOM: DurableObjectNamespace<SessionRoom>;
  AGENT_LINK: DurableObjectNamespace<AgentLink>;
  RECORDINGS: R2Bucket;
}

export const configSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL"),
  NEON_WS_PROXY: z.string().optional(),
  DB_ENCRYPTION_KEY: z.string().min(32, "must be at least 32 characters"),
  DB_ENCRYPTION_KEY_PREVIOUS: z.string().min(32).optional(),
  NOSTROMO_VERSION: z.string(),
  ENVIRONMENT: z.enum(["development", "test", "production"]),
  PLATFORM_HOSTS: z.string().optional(),
});

export type Variables = {
  requestId: string;
  /** The control-plane database (also the pooled tenant database). */
  db: Db;
  /** Run after the response (e.g. closing a dedicated tenant database pool). */
  cleanups: (() => Promise<unknown>)[];
  /** The tenant named by subdomain, X-Tenant-ID or ?tenantId=, or null on the platform host. */
  tenant: TenantRecord | null;
  scope: TenantScope | null;
  principal: Principal | null;
  /** Why a presented credential was not accepted (e.g. "SESSION_EXPIRED"), for a precise 401. */
  authFailure: string | null;
  clientIp: string;
};

export type AppEnv = { Bindings: Bindings; Variables: Variables };
