// The Worker in workerd through `wrangler dev`, spawned by the supervisor in its own process group (wrangler,
// its workerd and esbuild are stopped together), with its output shown (unless quiet) and its last lines
// kept for the error that says why it did not come up. The fault suite and the soak run restart it under a
// live stack (startWorker again after sup.stop: the supervisor registers the new child, so a shutdown still
// stops it), take its output line by line, and sample its processes (workerPids).
import type { ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { ensureConsoleBuilt } from "./console-build.ts";
import { descendants } from "./procs.ts";
import { StartError } from "./start-error.ts";
import { StoppedError, type Supervisor } from "./supervisor.ts";

const ROOT = resolve(import.meta.dirname, "../..");

export interface WorkerOptions {
  dataDir: string;
  port: number;
  inspectorPort: number;
  vars: Record<string, string>;
  quiet?: boolean;
  /** Every chunk of the Worker's stdout and stderr, shown or not (tests look for uncaught errors). */
  onOutput?: (text: string) => void;
  /** Each line wrangler dev / workerd prints goes here instead of the terminal (fault suite, soak run). */
  output?: (line: string) => void;
  healthTimeoutMs?: number;
}

export interface RunningWorker {
  url: string;
  /** wrangler dev (registered with the supervisor). */
  child: ChildProcess;
}

export async function startWorker(sup: Supervisor, opts: WorkerOptions): Promise<RunningWorker> {
  // wrangler dev refuses to start without wrangler.toml's assets folder: a bench or a script that starts a
  // stack on a fresh clone (npm start and npm test build it first) builds the console once here.
  ensureConsoleBuilt();
  const envFile = join(opts.dataDir, "worker.env");
  writeFileSync(
    envFile,
    Object.entries(opts.vars)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(""),
    { mode: 0o600 },
  );
  const args = [
    join(ROOT, "node_modules/wrangler/bin/wrangler.js"),
    "dev",
    "--config",
    join(ROOT, "wrangler.toml"),
    "--ip",
    "127.0.0.1",
    "--port",
    String(opts.port),
    "--inspector-port",
    String(opts.inspectorPort),
    "--persist-to",
    join(opts.dataDir, "wrangler"),
    "--show-interactive-dev-session=false",
    // NOSTROMO_WRANGLER_LOG_LEVEL=debug also runs workerd with --verbose: an uncaught error then names its
    // source (a JavaScript promise or the runtime's own pump of a response) and the native exception.
    "--log-level",
    process.env.NOSTROMO_WRANGLER_LOG_LEVEL ?? "error",
    // Secrets go through a 0600 env file, not the command line (which `ps` shows to everybody).
    "--env-file",
    envFile,
  ];
  const child = sup.spawn("wrangler dev", process.execPath, args, {
    tier: "app",
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "1" },
  });
  let tail = "";
  const keep = (to: NodeJS.WriteStream) => (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4_000);
    opts.onOutput?.(d.toString());
    if (!opts.quiet && !opts.output) to.write(d);
  };
  child.stdout?.on("data", keep(process.stdout));
  child.stderr?.on("data", keep(process.stderr));
  const output = opts.output;
  if (output) {
    for (const stream of [child.stdout, child.stderr])
      if (stream) createInterface({ input: stream }).on("line", output);
  }
  const lastLines = () => tail.trimEnd().split("\n").slice(-15).join("\n");

  const url = `http://localhost:${opts.port}`;
  const timeoutMs = opts.healthTimeoutMs ?? 90_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    sup.check();
    if (child.exitCode !== null || child.signalCode !== null) {
      if (sup.stopping) throw new StoppedError();
      throw new StartError(
        "Worker",
        `wrangler dev exited (${child.signalCode ?? `exit code ${child.exitCode}`}) before answering on ${url}`,
        "read its output above; `npx wrangler dev` alone shows the same error",
        lastLines(),
      );
    }
    try {
      const res = await fetch(`${url}/api/health`, { signal: sup.signal });
      if (res.status === 200) return { url, child };
    } catch {
      // not listening yet (or shutting down: checked at the top of the loop)
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new StartError(
    "Worker",
    `it did not answer 200 on ${url}/api/health within ${Math.round(timeoutMs / 1000)} s`,
    "the machine may be busy (the first build takes longest): start again; its output is above",
    lastLines(),
  );
}

/** Process ids of a running wrangler dev: itself, its workerd runtimes, and its other helpers (its runtime
 * node process, esbuild), from /proc. Empty once it has exited. */
export function workerPids(child: ChildProcess): {
  wrangler: number | null;
  workerd: number[];
  helpers: number[];
} {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null)
    return { wrangler: null, workerd: [], helpers: [] };
  const under = descendants(child.pid)
    .filter((p) => p.state !== "Z" && p.state !== "X")
    .map((p) => ({ pid: p.pid, comm: commOf(p.pid) }));
  return {
    wrangler: child.pid,
    workerd: under.filter((p) => p.comm === "workerd").map((p) => p.pid),
    helpers: under.filter((p) => p.comm !== "workerd").map((p) => p.pid),
  };
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}
