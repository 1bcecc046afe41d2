// One Supervisor (infra/dev/supervisor.ts) owns every process a benchmark starts — PostgreSQL, PgBouncer,
// wrangler with workerd, sshd, the agents — as `npm start`'s does: SIGINT (Ctrl-C), SIGTERM and SIGHUP at
// any moment, during start-up too, stop them all in order (the agents, sshd and the Worker, then the
// pooler and PostgreSQL), free every port, remove the bench's temporary folders and exit with 128 + the
// signal. A crash stops everything the same way and exits with 1. The handlers are installed by the first
// call, before the bench spawns anything. Should the bench itself be killed before its shutdown ends, the
// reaper (bench-reaper.ts) stops what is left.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installSignalHandlers, Supervisor } from "../infra/dev/supervisor.ts";

let owner: Supervisor | null = null;
let tell: (message: object) => void = () => {};

/** The process's one supervisor. `crashes: false` leaves errors to the bench's own handlers (soak.ts). */
export function benchSupervisor(opts: { crashes?: boolean } = {}): Supervisor {
  if (!owner) {
    const log = (line: string) => console.error(`[bench] ${line}`);
    owner = new Supervisor({ log });
    installSignalHandlers(owner, log, opts);
    const reaper = spawn(
      process.execPath,
      ["--import", "tsx", join(import.meta.dirname, "bench-reaper.ts")],
      {
        cwd: join(import.meta.dirname, ".."),
        detached: true,
        stdio: ["pipe", "ignore", "inherit"],
      },
    );
    reaper.unref();
    const pipe = reaper.stdin;
    pipe?.on("error", () => {});
    (pipe as unknown as { unref?: () => void } | null)?.unref?.();
    tell = (message) => pipe?.write(`${JSON.stringify(message)}\n`);
    owner.watch((children) => tell({ children }));
  }
  return owner;
}

/** A temporary folder the bench removes when it stops (or the reaper, if the bench was killed). */
export function benchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  benchSupervisor().afterShutdown(() => rmSync(dir, { recursive: true, force: true }));
  tell({ dir });
  return dir;
}
