// Test projects: `unit` (pure modules, Node), `component` (the console's shared components rendered in
// headless Chromium), `workers` (the Worker inside workerd against a real PostgreSQL started by
// test/support/global-setup.ts), `e2e` (wrangler dev + agent + OpenSSH, and the web console in Chromium).
// The console must be built first (`npm run build:console`; `npm test` does it).
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import preact from "@preact/preset-vite";
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";
import { ensureConsoleBuilt } from "./infra/dev/console-build.ts";

ensureConsoleBuilt();

export default defineConfig({
  test: {
    // One PostgreSQL for the whole run, shared by the `db` and `workers` projects.
    globalSetup: ["test/support/global-setup.ts"],
    projects: [
      {
        test: {
          name: "unit",
          environment: "node",
          // Key derivations (bcrypt-pbkdf, PBKDF2) and ssh-keygen runs take seconds when the two cores are
          // busy with the other projects: a budget per test, not a measure (benchmarks measure).
          testTimeout: 20_000,
          include: [
            "workers/**/*.test.ts",
            "packages/*/src/**/*.test.ts",
            "db/**/*.test.ts",
            "containers/agent/src/**/*.test.ts",
            "apps/cli/src/**/*.test.ts",
            "test/unit/**/*.test.ts",
            "apps/console/src/**/*.test.ts",
          ],
        },
      },
      {
        // Debian's chromium (the browser tests' too); NOSTROMO_CHROMIUM overrides it.
        plugins: [preact()],
        test: {
          name: "component",
          include: ["apps/console/src/**/*.test.tsx"],
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: {
                executablePath: process.env.NOSTROMO_CHROMIUM ?? "/usr/bin/chromium",
                args: ["--no-sandbox"],
              },
            }),
            instances: [{ browser: "chromium" }],
          },
        },
      },
      {
        test: {
          name: "db",
          environment: "node",
          include: ["test/db/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "e2e",
          environment: "node",
          // test/browser: the console in Chromium against the same kind of stack, run in the same queue.
          include: ["test/e2e/**/*.test.ts", "test/browser/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Each file starts its own wrangler dev; run them one at a time on a 2-core machine.
          fileParallelism: false,
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                DATABASE_URL: inject("databaseUrl"),
                NEON_WS_PROXY: inject("neonWsProxy"),
                DB_ENCRYPTION_KEY: "test-master-key-0123456789abcdef-0123456789",
                ENVIRONMENT: "test",
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/integration/**/*.test.ts"],
          // The OpenID Provider of the SSO tests (oidc-provider in Node, reached over loopback).
          globalSetup: ["test/support/idp-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
