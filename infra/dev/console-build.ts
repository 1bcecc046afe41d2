// The web console's build (apps/console → apps/console/dist), which wrangler.toml's [assets] names: wrangler
// dev and the workers test pool refuse to start while that folder is missing. `npm start` and `npm test`
// build it when its inputs changed since the last build; the test config calls ensureConsoleBuilt() so a
// single `npx vitest run --project …` on a clean clone works too.
//
// Why not rebuild every time: Vite empties dist/ first, so a rebuild while a workers test pool or a wrangler
// dev is starting makes it fail on a missing dist/assets (CI saw it: the e2e queue's stack-lifecycle test
// runs the real `npm start` while the other queue's pool starts workers). The build's inputs are hashed
// (the console's sources, the workspace packages it imports, the lockfile) and the hash is kept in
// node_modules/.cache; an unchanged tree is not rebuilt, so a run of `npm start` touches nothing in use.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
export const CONSOLE_DIST = join(ROOT, "apps/console/dist");
// Outside dist/ (whatever is in dist/ is served as a static asset); removed before a build starts.
const STAMP = join(ROOT, "node_modules/.cache/nostromo-console-build-inputs");
const SKIP = new Set(["node_modules", "dist", ".vite"]);

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

/** A hash of everything the console's build reads from this repository. */
export function consoleInputsHash(): string {
  const hash = createHash("sha256");
  const inputs = [
    ...files(join(ROOT, "apps/console")),
    ...files(join(ROOT, "packages")),
    join(ROOT, "package-lock.json"),
  ];
  for (const path of inputs) {
    hash.update(relative(ROOT, path)).update("\0").update(readFileSync(path)).update("\0");
  }
  return hash.digest("hex");
}

export function buildConsole(): void {
  const inputs = consoleInputsHash();
  rmSync(STAMP, { force: true });
  execFileSync(
    process.execPath,
    [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"],
    {
      cwd: join(ROOT, "apps/console"),
      stdio: "inherit",
    },
  );
  mkdirSync(dirname(STAMP), { recursive: true });
  writeFileSync(STAMP, `${inputs}\n`);
}

/** Whether dist/ holds a build of the current inputs. */
export function consoleBuildCurrent(): boolean {
  if (!existsSync(join(CONSOLE_DIST, "index.html")) || !existsSync(STAMP)) return false;
  return readFileSync(STAMP, "utf8").trim() === consoleInputsHash();
}

/** Builds the console unless a build is already there. */
export function ensureConsoleBuilt(): void {
  if (!existsSync(join(CONSOLE_DIST, "index.html"))) buildConsole();
}

// `npm run build:console` (and the first step of `npm start` and `npm test`); `--force` rebuilds anyway.
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  if (!process.argv.includes("--force") && consoleBuildCurrent()) {
    console.log("[nostromo] the web console's build is current");
  } else {
    console.log("[nostromo] building the web console…");
    buildConsole();
  }
}
