// `npm start`: Nostromo locally with demo data. SIGINT (Ctrl-C), SIGTERM and SIGHUP at any moment — during
// start-up too — stop every child it started within seconds and free every port. The signal handlers are
// installed before anything else is loaded or spawned; the stack itself is imported afterwards.
import { installSignalHandlers, StoppedError, Supervisor } from "./supervisor.ts";

const log = (line: string) => console.log(`[nostromo] ${line}`);
const sup = new Supervisor({ log });
installSignalHandlers(sup, log);

const { startStack } = await import("./stack.ts");
const { formatStartError } = await import("./start-error.ts");
const { consoleUrls } = await import("./console-urls.ts");

const env = process.env;
function portFrom(name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`[nostromo] ${name}=${raw} is not a port number (0–65535)`);
    process.exit(1);
  }
  return port;
}
const port = portFrom("PORT", 8787);
const superAdmin = {
  email: env.NOSTROMO_SUPERADMIN_EMAIL ?? "admin@nostromo.local",
  password: env.NOSTROMO_SUPERADMIN_PASSWORD ?? "nostromo-admin-change-me",
};
const demoAdmin = {
  email: env.NOSTROMO_DEMO_EMAIL ?? "admin@demo.local",
  password: env.NOSTROMO_DEMO_PASSWORD ?? "demo-admin-change-me",
};

let stack: Awaited<ReturnType<typeof startStack>>;
try {
  stack = await startStack({
    dataDir: env.NOSTROMO_DATA_DIR ?? ".data",
    port,
    databaseUrl: env.DATABASE_URL,
    pgPort: portFrom("PG_PORT", 54329),
    relayPort: portFrom("NOSTROMO_RELAY_PORT", 0) || undefined,
    // Fixed like PG_PORT: a dedicated tenant made on the platform server stores the address the Worker uses.
    poolerPort: portFrom("NOSTROMO_POOLER_PORT", 54330),
    inspectorPort: portFrom("NOSTROMO_INSPECTOR_PORT", 0) || undefined,
    pgReadyTimeoutMs: env.NOSTROMO_PG_READY_TIMEOUT_MS ? Number(env.NOSTROMO_PG_READY_TIMEOUT_MS) : undefined,
    masterKey: env.DB_ENCRYPTION_KEY,
    superAdmin,
    demoAdmin,
    log,
    agent: true,
    supervisor: sup,
  });
} catch (err) {
  // A signal cut start-up short: its handler stops everything and exits with 128 + the signal number.
  if (err instanceof StoppedError) await new Promise((r) => setTimeout(r, 60_000));
  // startStack has already stopped whatever it had started.
  console.error(`[nostromo] ${formatStartError(err)}`);
  process.exit(1);
}

const urls = consoleUrls(port);
console.log(`
  Nostromo is running.

  Command Center ${urls.commandCenter}   (the web console, platform host: sign in as the super admin)
  Demo console   ${urls.demo}   (the demo tenant's console: sign in as the demo admin)
  API            ${stack.url}/api/health   (tenant calls: the demo host, or X-Tenant-ID: ${stack.demoTenantId})

  Super admin    ${superAdmin.email} / ${superAdmin.password}
  Demo admin     ${demoAdmin.email} / ${demoAdmin.password}

  Ctrl-C stops everything (PostgreSQL, the Worker, the agent, the demo sshd).
`);
