// Entry point: validate the environment, enrol or load the identity, run the agent until a signal.
// Exit codes: 0 clean stop, 1 unexpected crash, 2 configuration or enrolment refused, 3 revoked.
import { Agent } from "./agent";
import { formatConfigErrors, loadConfig } from "./config";
import { CredentialsError } from "./credentials";
import { EnrollmentRefused, ensureIdentity } from "./enroll";
import { createLogger } from "./log";
import { hostFacts } from "./metrics";

const EXIT_CONFIG = 2;

const loaded = loadConfig(process.env);
if (!loaded.ok) {
  process.stderr.write(formatConfigErrors(loaded.errors));
  process.exit(EXIT_CONFIG);
}
const { config } = loaded;
const log = createLogger({ level: config.logLevel });
let agent: Agent | null = null;

async function shutdown(signal: string): Promise<void> {
  log.info("agent.signal", { signal });
  // A second signal, or a shutdown that hangs, must still end the process.
  setTimeout(() => process.exit(1), 10_000).unref();
  await agent?.stop(signal);
  process.exit(0);
}
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
process.on("uncaughtException", (err) => {
  log.error("agent.crash", { error: err });
  process.exit(1);
});
process.on("unhandledRejection", (err) => {
  log.error("agent.unhandled_rejection", { error: err });
});

try {
  const facts = await hostFacts();
  const identity = await ensureIdentity(config, facts, log);
  agent = new Agent(config, identity, facts, log, (code) => process.exit(code));
  agent.start();
} catch (err) {
  if (err instanceof EnrollmentRefused) {
    log.error("enroll.refused", { status: err.status, code: err.code, message: err.message });
    process.stderr.write(
      `nostromo-agent: enrolment refused (HTTP ${err.status} ${err.code}): ${err.message}\n`,
    );
    process.exit(EXIT_CONFIG);
  }
  if (err instanceof CredentialsError) {
    log.error("credentials.error", { message: err.message });
    process.stderr.write(`nostromo-agent: ${err.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  log.error("agent.crash", { error: err });
  process.exit(1);
}
