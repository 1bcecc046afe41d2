// Docker HEALTHCHECK entry point: exit 0 when the agent's last accepted heartbeat is fresh, else 1.
// Reads only NOSTROMO_STATE_DIR, so it works with the same environment as the agent.
import { checkHeartbeat } from "./heartbeat-file";

const stateDir = process.env.NOSTROMO_STATE_DIR?.trim() || "/var/lib/nostromo-agent";
const result = await checkHeartbeat(stateDir);
if (result.healthy) {
  process.stdout.write(`healthy: last heartbeat ${Math.round(result.ageMs / 1000)} s ago\n`);
  process.exit(0);
}
process.stdout.write(`unhealthy: ${result.reason}\n`);
process.exit(1);
