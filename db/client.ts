// Database access from the Worker: @neondatabase/serverless over WebSockets, wrapped by drizzle. Locally the
// WebSocket goes through infra/dev/ws-relay.ts to a real PostgreSQL (NEON_WS_PROXY), exactly as Neon
// documents for local development.
import { neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-serverless";
import * as control from "./schema/control/index.ts";
import * as tenant from "./schema/tenant/index.ts";

export const schema = { ...control, ...tenant };
export type Schema = typeof schema;

/** The driver batches its writes on a timer (coalesceWrites) and closes the socket at once in end(): the
 * batched Terminate message then hits a closed socket, and workerd's send() throws "Can't call WebSocket
 * send() after close()" from a timer, an uncaught error each time a connection was dropped under a pool.
 * Nothing can be delivered on a closed socket: such a send is dropped. */
let closedSafe: typeof WebSocket | undefined;
function closedSafeWebSocket(): typeof WebSocket {
  closedSafe ??= class extends WebSocket {
    override send(data: string | ArrayBuffer | ArrayBufferView): void {
      if (this.readyState === WebSocket.OPEN) super.send(data);
    }
  };
  return closedSafe;
}

export function configureNeon(wsProxy: string | undefined): void {
  // Defined lazily: a runtime without a global WebSocket must still be able to import this module.
  if (typeof WebSocket === "function") neonConfig.webSocketConstructor = closedSafeWebSocket();
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
