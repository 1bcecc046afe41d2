// Database access from the Worker: @neondatabase/serverless over WebSockets, wrapped by drizzle. Locally the
// WebSocket goes through infra/dev/ws-relay.ts to a real PostgreSQL (NEON_WS_PROXY), exactly as Neon
// documents for local development.
import { neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-serverless";
import * as control from "./schema/control/index.ts";
import * as tenant from "./schema/tenant/index.ts";

export const schema = { ...control, ...tenant };
export type Schema = typeof schema;

export function configureNeon(wsProxy: string | undefined): void {
  if (!wsProxy) return;
  neonConfig.wsProxy = (host, port) => `${wsProxy}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
}

export function createDb(
  connectionString: string,
  options: { max?: number; idleTimeoutMillis?: number } = {},
) {
  const pool = new Pool({ connectionString, max: 4, connectionTimeoutMillis: 5_000, ...options });
  // A dropped idle connection must not become an unhandled error that kills the isolate.
  pool.on("error", () => {});
  return { db: drizzle({ client: pool, schema }), pool };
}

export type Db = ReturnType<typeof createDb>["db"];
