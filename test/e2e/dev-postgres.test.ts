// The local PostgreSQL's start-up failures are explicit: an early exit quotes PostgreSQL's own log and says
// what to do (it used to reject with `undefined`: "failed to start: undefined"), a server that is not ready
// in time is stopped and reported, and a data dir in use by a live server is refused before starting.
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, PostgresStartError, startPostgres } from "../../infra/dev/postgres.ts";
import { allPids, commandLine } from "../../infra/dev/procs.ts";

const dir = mkdtempSync(join(tmpdir(), "nostromo-devpg-"));
chmodSync(dir, 0o755);
const dataDir = join(dir, "pg");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const serversOn = (d: string) => allPids().filter((p) => commandLine(p).includes(`-D ${d}`));

describe("the local PostgreSQL", () => {
  it("port already taken: rejects with PostgreSQL's log, the port's holder and what to do", async () => {
    const holder = createServer();
    const port = await freePort();
    await new Promise<void>((r) => holder.listen(port, "127.0.0.1", () => r()));
    try {
      const err = await startPostgres({ dataDir, port, persistent: true }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PostgresStartError);
      const e = err as PostgresStartError;
      expect(e.message).toMatch(/^PostgreSQL exited \(exit code 1\) before accepting connections$/);
      expect(e.log).toMatch(/could not bind IPv4 address "127\.0\.0\.1": Address already in use/);
      expect(e.hint).toBe(
        `port ${port} is already in use by pid ${process.pid} (${commandLine(process.pid).slice(0, 120)}): stop that process, or set PG_PORT to a free port`,
      );
      expect(e.retryable).toBe(false);
      expect(serversOn(dataDir)).toEqual([]);
    } finally {
      await new Promise((r) => holder.close(r));
    }
  }, 60_000);

  it("not ready in time: the server is stopped and the error says how long it waited and what to do", async () => {
    const err = await startPostgres({ dataDir, persistent: true, readyTimeoutMs: 1 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PostgresStartError);
    expect((err as Error).message).toBe("PostgreSQL did not accept connections within 1 ms");
    expect((err as PostgresStartError).hint).toMatch(/NOSTROMO_PG_READY_TIMEOUT_MS/);
    await expect.poll(() => serversOn(dataDir), { timeout: 5_000 }).toEqual([]);
  }, 60_000);

  it("a data dir in use by a live server is refused with its PID; the running server is untouched", async () => {
    const pg = await startPostgres({ dataDir, persistent: true });
    try {
      const pid = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
      const err = await startPostgres({ dataDir, persistent: true }).catch((e: unknown) => e);
      expect((err as Error).message).toBe(`PostgreSQL (pid ${pid}) is still running on ${dataDir}`);
      expect((err as PostgresStartError).hint).toContain(`kill -INT ${pid}`);
      expect(serversOn(dataDir)).toHaveLength(1);
    } finally {
      await pg.stop();
    }
    expect(serversOn(dataDir)).toEqual([]);
  }, 60_000);
});
