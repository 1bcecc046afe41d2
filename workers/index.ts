// Worker entry: HTTP through the Hono app, the scheduled jobs (dispatched on the cron that fired:
// workers/jobs/), and the Durable Object classes.

import { app } from "./app.ts";
import type { Bindings } from "./env.ts";
import { runCron } from "./jobs/runner.ts";

export { AgentLink } from "./agent-link/agent-link.ts";
export { SessionRoom } from "./session-room/session-room.ts";
export { ViewerRelay } from "./viewer-relay/viewer-relay.ts";

export default {
  fetch: app.fetch,
  async scheduled(controller: ScheduledController, env: Bindings, _ctx: ExecutionContext): Promise<void> {
    await runCron(controller.cron, env, { now: new Date(controller.scheduledTime) });
  },
} satisfies ExportedHandler<Bindings>;
