// Worker entry: HTTP through the Hono app, the housekeeping cron, and the Durable Object classes.

import { downsampleMetrics } from "./agent-link/store.ts";
import { app } from "./app.ts";
import { withDatabases } from "./db/databases.ts";
import type { Bindings } from "./env.ts";

export { AgentLink } from "./agent-link/agent-link.ts";
export { SessionRoom } from "./session-room/session-room.ts";

export default {
  fetch: app.fetch,
  async scheduled(_controller: ScheduledController, env: Bindings, _ctx: ExecutionContext): Promise<void> {
    await withDatabases(env, (dbs) => dbs.control(downsampleMetrics));
  },
} satisfies ExportedHandler<Bindings>;
