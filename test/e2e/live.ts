// Shared setup of the live-session end-to-end tests: a real sshd, the stack, an enrolled agent, a
// connection to the sshd through it, and the demo admin's HTTP client.
import { liveTarget, startSshd, type TestSshd, Viewer } from "@nostromo/testkit";
import { expect } from "vitest";
import { type AgentProcess, DEMO_ADMIN, type E2E, Http, startAgent, startE2E } from "./harness.ts";

export interface LiveEnv {
  e2e: E2E;
  sshd: TestSshd;
  admin: Http;
  agent: AgentProcess;
  connectionId: string;
  agentEnv(extra?: Record<string, string>): Record<string, string>;
  start(client?: Http): Promise<{ id: string; session_id: string }>;
  close(): Promise<void>;
}

export async function startLive(
  name: string,
  sshdOptions: Parameters<typeof startSshd>[0] = {},
): Promise<LiveEnv> {
  const sshd = await startSshd(sshdOptions);
  const e2e = await startE2E(name);
  const admin = new Http(e2e.stack.url, e2e.stack.demoTenantId);
  await admin.login(DEMO_ADMIN.email, DEMO_ADMIN.password);
  const agentEnv = (extra: Record<string, string> = {}) => ({
    NOSTROMO_URL: `http://127.0.0.1:${e2e.port}`,
    NOSTROMO_STATE_DIR: `${e2e.dir}/agent-state`,
    NOSTROMO_METRICS_INTERVAL_MS: "5000",
    NOSTROMO_HEARTBEAT_INTERVAL_MS: "1000",
    NOSTROMO_LOG_LEVEL: "warn",
    ...extra,
  });
  const { agent, connectionId } = await liveTarget(admin, sshd, "sshd on loopback", (token) =>
    startAgent(agentEnv({ NOSTROMO_ENROLL_TOKEN: token })),
  );
  const env: LiveEnv = {
    e2e,
    sshd,
    admin,
    agent,
    connectionId,
    agentEnv,
    async start(client = env.admin) {
      const r = await client.call<{ id: string; session_id: string; status: string }>(
        "POST",
        "/api/remote-sessions",
        {
          connection_id: env.connectionId,
          cols: 120,
          rows: 30,
        },
      );
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.status).toBe("active");
      return r.body;
    },
    async close() {
      await env.agent.stop("SIGKILL");
      await e2e.close();
      await sshd.stop();
    },
  };
  return env;
}

export async function openViewer(client: Http, id: string, into: Viewer[]): Promise<Viewer> {
  const v = await Viewer.open(client, id);
  into.push(v);
  await v.until("hello", () => Boolean(v.frame("hello")));
  return v;
}
