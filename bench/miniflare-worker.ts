// The Worker in workerd through Miniflare directly, without `wrangler dev`: no dev proxy in front of it and
// no wrangler inspector proxy attached to it (that one keeps `Runtime.enable` and `Network.enable` on,
// which make V8 and workerd keep data about every request). The memory probes (bench/join-heap.ts) read
// the isolate through workerd's own inspector port instead, enabling nothing but what they call.
// Bundled as `wrangler deploy --dry-run` bundles it (nodejs_compat handled by wrangler), with the
// bindings wrangler.toml declares (`unstable_getMiniflareWorkerOptions`); the static assets are left out
// (only /api is exercised).
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";

const ROOT = resolve(import.meta.dirname, "..");
export const WORKER_NAME = "nostromo";

export interface MiniflareWorker {
  url: string;
  /** workerd's own inspector (Chrome DevTools protocol), one target per worker. */
  inspectorPort: number;
  /** The DevTools target of our Worker's isolate (the Worker and both Durable Objects). */
  inspectorTarget: string;
  dispose(): Promise<void>;
}

/** wrangler.toml's bindings and compatibility as Miniflare options, without the static assets. */
function workerOptionsOf() {
  const config = unstable_readConfig({ config: join(ROOT, "wrangler.toml") });
  return unstable_getMiniflareWorkerOptions({ ...config, assets: undefined }).workerOptions;
}

/** Bundles workers/index.ts into `dir/bundle` as a deploy would; returns the entry module's path. */
function bundle(dir: string): string {
  const workerOptions = workerOptionsOf();
  const config = join(dir, "wrangler.json");
  // The same entry and compatibility (all the bundle depends on); no assets directory (not built for this).
  writeFileSync(
    config,
    JSON.stringify({
      name: WORKER_NAME,
      main: join(ROOT, "workers/index.ts"),
      compatibility_date: workerOptions.compatibilityDate,
      compatibility_flags: workerOptions.compatibilityFlags,
    }),
  );
  const out = join(dir, "bundle");
  mkdirSync(out, { recursive: true });
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, "node_modules/wrangler/bin/wrangler.js"),
      "deploy",
      "--dry-run",
      "--outdir",
      out,
      "--config",
      config,
    ],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" } },
  );
  if (r.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${r.stdout}\n${r.stderr}`);
  return join(out, "index.js");
}

export async function startMiniflareWorker(opts: {
  dir: string;
  port: number;
  inspectorPort: number;
  vars: Record<string, string>;
  /** Every line the Worker logs (console and uncaught errors). */
  output?: (line: string) => void;
}): Promise<MiniflareWorker> {
  const script = bundle(opts.dir);
  const workerOptions = workerOptionsOf();
  const persist = join(opts.dir, "miniflare");
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: opts.port,
    inspectorPort: opts.inspectorPort,
    name: WORKER_NAME,
    // Listed, not located: the bundle keeps optional dynamic imports of libraries it does not ship (e.g.
    // `import("effect")`), which workerd only fails on if they are ever reached, as under wrangler dev.
    modules: [{ type: "ESModule", path: script, contents: readFileSync(script, "utf8") }],
    modulesRoot: dirname(script),
    compatibilityDate: workerOptions.compatibilityDate,
    compatibilityFlags: workerOptions.compatibilityFlags,
    bindings: { ...(workerOptions.bindings ?? {}), ...opts.vars },
    durableObjects: workerOptions.durableObjects,
    r2Buckets: workerOptions.r2Buckets,
    durableObjectsPersist: join(persist, "do"),
    r2Persist: join(persist, "r2"),
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      for (const s of [stdout, stderr])
        s.on("data", (d: Buffer) => {
          for (const line of d.toString().split("\n")) if (line) opts.output?.(line);
        });
    },
  });
  const url = (await mf.ready).toString().replace(/\/$/, "");
  return {
    url,
    inspectorPort: opts.inspectorPort,
    inspectorTarget: `ws://127.0.0.1:${opts.inspectorPort}/core:user:${WORKER_NAME}`,
    dispose: () => mf.dispose(),
  };
}
