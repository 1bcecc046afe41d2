// The web console's build (apps/console → apps/console/dist), which wrangler.toml's [assets] names: wrangler
// dev and the workers test pool refuse to start while that folder is missing. `npm start` and `npm test`
// build it every time (a second or two); the test config calls ensureConsoleBuilt() so a single
// `npx vitest run --project …` on a clean clone works too.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
export const CONSOLE_DIST = join(ROOT, "apps/console/dist");

export function buildConsole(): void {
  execFileSync(
    process.execPath,
    [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"],
    {
      cwd: join(ROOT, "apps/console"),
      stdio: "inherit",
    },
  );
}

/** Builds the console unless a build is already there. */
export function ensureConsoleBuilt(): void {
  if (!existsSync(join(CONSOLE_DIST, "index.html"))) buildConsole();
}

// `npm run build:console` (and the first step of `npm start` and `npm test`).
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  console.log("[nostromo] building the web console…");
  buildConsole();
}
