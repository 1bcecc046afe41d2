// The set-up of test/e2e/agent-abuse.test.ts: tenant B (the demo tenant) with a live session against real
// OpenSSH through its real agent and a viewer on it; tenant A provisioned with its own real agent; a
// PostgreSQL client to check what changed. And the checks every case repeats: B's session still works, B's
// connection is not pinned to the attacker's key, the security alerts audited in A.
import { join } from "node:path";
import type { Viewer } from "@nostromo/testkit";
import pg from "pg";
import { expect, inject } from "vitest";
import { ATTACKER_KEY, realAgentOnline } from "./evil-agent.ts";
import { type AgentProcess, Http, startAgent, waitFor } from "./harness.ts";
import { type LiveEnv, openViewer, startLive } from "./live.ts";

export interface AbuseEnv {
  live: LiveEnv;
  sessionB: { id: string; session_id: string };
  viewerB: Viewer;
  viewers: Viewer[];
  adminA: Http;
  tenantA: string;
  realAgentA: AgentProcess;
  db: pg.Client;
  /** B's shell still answers and its viewer still sees the screen change. */
  bStillWorks(): Promise<void>;
  /** B's connection is not pinned to the attacker's key. It may be pinned again to the real server's key:
   * the first test resets the pin, and the real agent re-pins it (trust on first use) whenever it reopens
   * B's session — e.g. after its own link dropped on a loaded machine. */
  notPinnedByAttacker(): Promise<void>;
  /** The security alerts audited in tenant A so far. */
  alertsInA(): Promise<number>;
  close(): Promise<void>;
}

export async function startAbuse(): Promise<AbuseEnv> {
  const live = await startLive("abuse");
  const viewers: Viewer[] = [];
  const started: { db?: pg.Client; agent?: AgentProcess } = {};
  try {
    return await setUp(live, viewers, started);
  } catch (err) {
    // A set-up cut short stops what it had started, as the file's afterAll would.
    for (const v of viewers) v.close();
    await started.agent?.stop("SIGKILL");
    await started.db?.end();
    await live.close();
    throw err;
  }
}

async function setUp(
  live: LiveEnv,
  viewers: Viewer[],
  started: { db?: pg.Client; agent?: AgentProcess },
): Promise<AbuseEnv> {
  const sessionB = await live.start();
  const viewerB = await openViewer(live.admin, sessionB.id, viewers);
  const db = new pg.Client({ connectionString: live.e2e.stack.databaseUrl });
  started.db = db;
  await db.connect();

  const root = new Http(live.e2e.stack.url);
  await root.login(inject("superAdmin").email, inject("superAdmin").password);
  const adminEmail = `a-admin-${Date.now()}@example.com`;
  const p = await root.call<{ tenant: { id: string } }>("POST", "/api/admin/tenants/provision", {
    companyName: `Tenant A ${Date.now()}`,
    tier: "gold",
    adminEmail,
    adminPassword: "correct-horse-battery",
  });
  expect(p.status, JSON.stringify(p.body)).toBe(201);
  const tenantA = p.body.tenant.id;
  const adminA = new Http(live.e2e.stack.url, tenantA);
  await adminA.login(adminEmail, "correct-horse-battery");
  const tok = await adminA.call<{ token: string }>("POST", "/api/agents/enrollment-tokens", {});
  const realAgentA = startAgent(
    live.agentEnv({
      NOSTROMO_STATE_DIR: join(live.e2e.dir, "agent-a-state"),
      NOSTROMO_ENROLL_TOKEN: tok.body.token,
    }),
  );
  started.agent = realAgentA;
  await waitFor("tenant A's real agent online", () => realAgentOnline(adminA));

  let marker = 0;
  const env: AbuseEnv = {
    live,
    sessionB,
    viewerB,
    viewers,
    adminA,
    tenantA,
    realAgentA,
    db,
    async bStillWorks() {
      marker += 1;
      const word = `still-alive-${marker}`;
      viewerB.type(`echo ${word}\r`);
      await viewerB.until(word, () => viewerB.text().split(word).length >= 3);
      const r = await live.admin.call<{ status: string }>("GET", `/api/remote-sessions/${sessionB.id}`);
      expect(r.status).toBe(200);
      expect(r.body.status).toBe("active");
    },
    async notPinnedByAttacker() {
      const r = await db.query<{ host_key: string | null }>("select host_key from connection where id = $1", [
        live.connectionId,
      ]);
      expect(r.rows[0]?.host_key ?? null, "B's connection pinned to the attacker's key").not.toBe(
        ATTACKER_KEY,
      );
    },
    async alertsInA() {
      const r = await db.query<{ n: string }>(
        "select count(*) as n from audit_log where organization_id = $1 and event_type = 'security.alert'",
        [tenantA],
      );
      return Number(r.rows[0]?.n ?? 0);
    },
    async close() {
      for (const v of viewers) v.close();
      await realAgentA.stop("SIGKILL");
      await db.end();
      await live.close();
    },
  };
  await env.bStillWorks();
  return env;
}
