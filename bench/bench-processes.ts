// One Supervisor (infra/dev/supervisor.ts) owns every process a benchmark starts — PostgreSQL, PgBouncer,
// wrangler with workerd, sshd, the agents — as `npm start`'s does: SIGINT (Ctrl-C), SIGTERM and SIGHUP at
// any moment, during start-up too, stop them all in order (the agents, sshd and the Worker, then the
// pooler and PostgreSQL), free every port, run the bench's clean-ups (its temporary folder) and exit with
// 128 + the signal. A crash stops everything the same way and exits with 1. The handlers are installed by
// the first call, before the bench spawns anything.
import { installSignalHandlers, Supervisor } from "../infra/dev/supervisor.ts";

let owner: Supervisor | null = null;

/** The process's one supervisor. `crashes: false` leaves errors to the bench's own handlers (soak.ts). */
export function benchSupervisor(opts: { crashes?: boolean } = {}): Supervisor {
  if (!owner) {
    const log = (line: string) => console.error(`[bench] ${line}`);
    owner = new Supervisor({ log });
    installSignalHandlers(owner, log, opts);
  }
  return owner;
}
