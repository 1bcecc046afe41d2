// The Worker's configuration — wrangler.toml's vars and the secrets — declared once, as the zod schema
// that checks it (middleware/config.ts, once per isolate: a bad one answers 503 CONFIG_INVALID, loudly).
// The binding types (workers/global-props.d.ts) extend `Config`; the Durable Object and R2 bindings are
// declared there.
import { z } from "zod";

export const configSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL"),
  /** Local only: host:port of the WebSocket relay to PostgreSQL (infra/dev/ws-relay.ts). */
  NEON_WS_PROXY: z.string().optional(),
  DB_ENCRYPTION_KEY: z.string().min(32, "must be at least 32 characters"),
  /** During a master-key rotation: the previous key, still accepted for unwrapping. */
  DB_ENCRYPTION_KEY_PREVIOUS: z.string().min(32).optional(),
  NOSTROMO_VERSION: z.string(),
  ENVIRONMENT: z.enum(["development", "test", "production"]),
  /** Comma-separated hosts that are the platform itself (no tenant), e.g. "nostromo.example,localhost". */
  PLATFORM_HOSTS: z.string().optional(),
  /** Sockets on a SessionRoom past which read-only watchers go through ViewerRelays (docs/fan-out.md). */
  VIEWER_RELAY_THRESHOLD: z
    .string()
    .regex(/^[1-9]\d*$/)
    .optional(),
  /** Watchers per ViewerRelay. */
  VIEWER_RELAY_SLICE: z
    .string()
    .regex(/^[1-9]\d*$/)
    .optional(),
  /** Benchmarks only: "1" makes the SessionRoom log a timestamp per hop (session-room/trace.ts). */
  BENCH_TRACE: z.literal("1").optional(),
});

export type Config = z.infer<typeof configSchema>;
