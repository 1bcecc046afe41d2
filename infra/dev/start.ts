// `npm start`: Nostromo locally with demo data. Ctrl-C (SIGINT/SIGTERM) stops every child it started.
import { startStack } from "./stack.ts";

const env = process.env;
const port = Number(env.PORT ?? 8787);
const superAdmin = {
  email: env.NOSTROMO_SUPERADMIN_EMAIL ?? "admin@nostromo.local",
  password: env.NOSTROMO_SUPERADMIN_PASSWORD ?? "nostromo-admin-change-me",
};
const demoAdmin = {
  email: env.NOSTROMO_DEMO_EMAIL ?? "admin@demo.local",
  password: env.NOSTROMO_DEMO_PASSWORD ?? "demo-admin-change-me",
};

const stack = await startStack({
  dataDir: env.NOSTROMO_DATA_DIR ?? ".data",
  port,
  databaseUrl: env.DATABASE_URL,
  pgPort: env.PG_PORT ? Number(env.PG_PORT) : 54329,
  masterKey: env.DB_ENCRYPTION_KEY,
  superAdmin,
  demoAdmin,
  log: (line) => console.log(`[nostromo] ${line}`),
  agent: true,
}).catch((err: unknown) => {
  console.error(`[nostromo] failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

console.log(`
  Nostromo is running.

  API            ${stack.url}/api/health
  Command Center ${stack.url}/   (platform host: super admin)
  Demo tenant    http://demo.localhost:${port}/   (or header X-Tenant-ID: ${stack.demoTenantId})

  Super admin    ${superAdmin.email} / ${superAdmin.password}
  Demo admin     ${demoAdmin.email} / ${demoAdmin.password}

  Ctrl-C stops everything.
`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log("[nostromo] stopping…");
    await stack.stop();
    process.exit(0);
  });
}
