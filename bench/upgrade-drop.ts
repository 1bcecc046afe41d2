// Where workerd's `Uncaught Error: Network connection lost.` comes from when connections drop (issue 11): a
// live recorded session printing lines, then viewer sockets whose client drops its TCP connection (no
// Close) at three moments — a few ms after sending the upgrade, right when the 101 arrives, after the first
// frame — through wrangler dev's proxy and straight to the Worker's workerd. Counts the Worker's output lines
// saying "uncaught" per case and prints the first ones. With NOSTROMO_WRANGLER_LOG_LEVEL=debug, workerd runs
// with --verbose and names the source ("Uncaught (in response)" is the runtime pumping a response's
// WebSocket, "Uncaught (in promise)" a JavaScript promise) and the kj exception with its native stack.
// Run: npx tsx bench/upgrade-drop.ts   (UPGRADE_DROPS=30 per case)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO_ADMIN, Http, liveTarget, startAgent, startSshd, Viewer, waitFor } from "@nostromo/testkit";
import WebSocket from "ws";
import { ensureDatabase } from "../db/node.ts";
import { freePort, startPostgres } from "../infra/dev/postgres.ts";
import { startStack } from "../infra/dev/stack.ts";
import { workerDirectUrl } from "./worker-direct.ts";

const DROPS = Number(process.env.UPGRADE_DROPS ?? 30);
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const lines: string[] = [];
const dir = mkdtempSync(join(tmpdir(), "nostromo-upgrade-drop-"));
const pg = await startPostgres({ dataDir: join(dir, "pg"), persistent: false });
await ensureDatabase(pg.url("postgres"), "drop");
const port = await freePort();
const stack = await startStack({
  dataDir: join(dir, "data"),
  port,
  databaseUrl: pg.url("drop"),
  superAdmin: { email: "root@drop.example", password: "drop-root-password" },
  demoAdmin: DEMO_ADMIN,
  masterKey: "drop-master-key-0123456789-0123456789-012",
  workerOutput: (line) => lines.push(line),
});
const sshd = await startSshd();
const admin = new Http(stack.url, stack.demoTenantId);
await admin.login(DEMO_ADMIN.email, DEMO_ADMIN.password);
const target = await liveTarget(admin, sshd, "drop target", (token) =>
  startAgent({
    NOSTROMO_URL: `http://127.0.0.1:${port}`,
    NOSTROMO_ENROLL_TOKEN: token,
    NOSTROMO_STATE_DIR: join(dir, "agent"),
  }),
);

type Moment = "after-request" | "at-101" | "after-first-frame";

/** Opens a viewer socket and drops its connection (no Close) at `moment`. */
async function dropOne(base: string, sessionId: string, moment: Moment, i: number): Promise<void> {
  const ws = new WebSocket(`${base.replace(/^http/, "ws")}/api/remote-sessions/${sessionId}/ws`, {
    headers: { cookie: `sid=${admin.cookie}`, "x-tenant-id": admin.tenantId ?? "" },
  });
  ws.on("error", () => {});
  const ended = new Promise<void>((r) => ws.once("close", () => r()));
  if (moment === "after-request") {
    await sleep((i * 7) % 120);
    ws.terminate();
  } else {
    const event = moment === "at-101" ? "upgrade" : "message";
    await Promise.race([new Promise<void>((r) => ws.once(event, () => r(ws.terminate()))), ended]);
  }
  await ended;
}

try {
  const opened = await admin.call<{ id: string }>("POST", "/api/remote-sessions", {
    connection_id: target.connectionId,
    cols: 80,
    rows: 24,
  });
  const sessionId = opened.body.id;
  const owner = await Viewer.open(admin, sessionId, {}, { terminal: false });
  await waitFor("prompt", async () => `${owner.frame("snapshot")?.data}${owner.text()}`.includes("$"));
  owner.type(`i=0; while :; do i=$((i+1)); echo "L$i"; sleep 0.05; done\r`);
  const direct = await workerDirectUrl(stack.pids().workerd, port);
  const bases: [string, string][] = [["via wrangler's proxy", stack.url]];
  if (direct) bases.push(["straight to the Worker", direct]);
  console.log("| path | client drops | drops | uncaught lines |\n|---|---|---|---|");
  const examples: string[] = [];
  for (const [path, base] of bases)
    for (const moment of ["after-request", "at-101", "after-first-frame"] as const) {
      const from = lines.length;
      for (let i = 0; i < DROPS; i++) {
        await dropOne(base, sessionId, moment, i);
        await sleep(50);
      }
      await sleep(3000);
      const found = lines.slice(from).filter((l) => /uncaught|exception = /i.test(l));
      examples.push(...found.slice(0, 4).map((l) => `${path}, ${moment}: ${l.slice(0, 300)}`));
      console.log(`| ${path} | ${moment} | ${DROPS} | ${found.filter((l) => /uncaught/i.test(l)).length} |`);
    }
  for (const e of examples) console.log(`  ${e}`);
  const seen = owner.text().length;
  await waitFor("the session still prints", async () => owner.text().length > seen + 100);
  console.log("the owner's viewer still receives output");
} finally {
  await target.agent.stop("SIGTERM");
  await sshd.stop();
  await stack.stop();
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
