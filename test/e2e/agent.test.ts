// The agent end to end: the real agent process against the Worker in workerd (wrangler dev) and real
// PostgreSQL — enrol, appear online, report metrics that reach the dashboard, go offline when stopped,
// come back after the edge restarts, be revoked; forged, replayed and expired enrolment tokens, a replayed
// link signature, a revoked agent reconnecting, and garbage frames.
import { createPrivateKey, randomBytes, sign } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { AGENT_LINK_HEADERS, agentLinkSigningString } from "@nostromo/protocol";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import WebSocket from "ws";
import { type AgentProcess, DEMO_ADMIN, type E2E, Http, startAgent, startE2E, waitFor } from "./harness.ts";

let e2e: E2E;
let admin: Http;
let root: Http;
let agent: AgentProcess | null = null;
let agentId = "";
const stateDir = () => join(e2e.dir, "agent-state");

function agentEnv(extra: Record<string, string> = {}) {
  return {
    NOSTROMO_URL: `http://127.0.0.1:${e2e.port}`,
    NOSTROMO_STATE_DIR: stateDir(),
    NOSTROMO_METRICS_INTERVAL_MS: "1000",
    NOSTROMO_HEARTBEAT_INTERVAL_MS: "1000",
    NOSTROMO_LOG_LEVEL: "debug",
    ...extra,
  };
}

type AgentRow = {
  id: string;
  online: boolean;
  status: string;
  version: string;
  hostname: string;
  last_connected_at: string | null;
  metrics: Record<string, number> | null;
};

async function agents(): Promise<AgentRow[]> {
  const r = await admin.call<{ data: AgentRow[] }>("GET", "/api/agents");
  expect(r.status).toBe(200);
  return r.body.data;
}

async function newToken(minutes = 10): Promise<string> {
  const r = await admin.call<{ token: string }>("POST", "/api/agents/enrollment-tokens", {
    expires_in_minutes: minutes,
  });
  expect(r.status).toBe(201);
  return r.body.token;
}

function signedHeaders(nonce = randomBytes(16).toString("base64url")) {
  const creds = JSON.parse(readFileSync(join(stateDir(), "credentials.json"), "utf8")) as {
    agentId: string;
    privateKeyPkcs8: string;
  };
  const key = createPrivateKey({
    key: Buffer.from(creds.privateKeyPkcs8, "base64"),
    format: "der",
    type: "pkcs8",
  });
  const ts = String(Date.now());
  const signature = sign(null, Buffer.from(agentLinkSigningString(creds.agentId, ts, nonce)), key).toString(
    "base64url",
  );
  return {
    [AGENT_LINK_HEADERS.agentId]: creds.agentId,
    [AGENT_LINK_HEADERS.timestamp]: ts,
    [AGENT_LINK_HEADERS.nonce]: nonce,
    [AGENT_LINK_HEADERS.signature]: signature,
  };
}

function openLink(headers: Record<string, string>): Promise<{ ws: WebSocket | null; status: number }> {
  return new Promise((res) => {
    const ws = new WebSocket(`ws://127.0.0.1:${e2e.port}/api/agents/link`, { headers });
    ws.once("open", () => res({ ws, status: 101 }));
    ws.once("unexpected-response", (_req, response) => res({ ws: null, status: response.statusCode ?? 0 }));
    ws.once("error", () => res({ ws: null, status: 0 }));
  });
}

beforeAll(async () => {
  e2e = await startE2E("agent");
  admin = new Http(e2e.stack.url, e2e.stack.demoTenantId);
  await admin.login(DEMO_ADMIN.email, DEMO_ADMIN.password);
  root = new Http(e2e.stack.url);
  await root.login(inject("superAdmin").email, inject("superAdmin").password);
});

afterAll(async () => {
  await agent?.stop("SIGKILL");
  await e2e?.close();
});

describe("enrolment", () => {
  it("refuses forged tokens and bad bodies", async () => {
    const bad = new Http(e2e.stack.url);
    const body = {
      token: "nse_forged",
      publicKey: Buffer.alloc(32, 1).toString("base64"),
      hostname: "h",
      version: "1",
      os: "linux",
    };
    expect((await bad.call("POST", "/api/agents/enroll", body)).status).toBe(401);
    expect((await bad.call("POST", "/api/agents/enroll", { ...body, publicKey: "short" })).status).toBe(400);
    expect((await bad.call("POST", "/api/agents/enroll", { nope: 1 })).status).toBe(400);
  });

  it("a first start enrols with a one-time token and keeps its credential 0600", async () => {
    const token = await newToken();
    agent = startAgent(agentEnv({ NOSTROMO_ENROLL_TOKEN: token }));
    const row = await waitFor("the agent online with metrics", async () => {
      const [a] = await agents();
      return a?.online && a.metrics ? a : null;
    });
    agentId = row.id;
    expect(row.status).toBe("active");
    expect(row.metrics?.cpu_load_pct).toBeGreaterThanOrEqual(0);
    expect(row.metrics?.memory_usage_pct).toBeGreaterThan(0);
    expect(statSync(join(stateDir(), "credentials.json")).mode & 0o777).toBe(0o600);
    // The token was used: a second enrolment with it is refused (replay).
    const again = await new Http(e2e.stack.url).call("POST", "/api/agents/enroll", {
      token,
      publicKey: Buffer.alloc(32, 2).toString("base64"),
      hostname: "thief",
      version: "1",
      os: "linux",
    });
    expect(again.status).toBe(401);
  });

  it("refuses an expired token", async () => {
    const token = await newToken();
    const db = new pg.Client({ connectionString: e2e.stack.databaseUrl });
    await db.connect();
    await db.query(
      "update command.agent_enrollment_tokens set expires_at = now() - interval '1 minute' where used_at is null",
    );
    await db.end();
    const r = await new Http(e2e.stack.url).call("POST", "/api/agents/enroll", {
      token,
      publicKey: Buffer.alloc(32, 3).toString("base64"),
      hostname: "late",
      version: "1",
      os: "linux",
    });
    expect(r.status).toBe(401);
    expect((r.body as { error: { code: string } }).error.code).toBe("ENROLLMENT_TOKEN_INVALID");
  });
});

describe("health reaches the Command Center", () => {
  it("the dashboard shows this machine's real health; monitoring has history", async () => {
    const d = await waitFor("dashboard health", async () => {
      const r = await root.call<{ system_health: Record<string, number | null>; online_agents: number }>(
        "GET",
        "/api/admin/dashboard",
      );
      return r.body.system_health.cpu_load_pct !== null ? r.body : null;
    });
    expect(d.online_agents).toBe(1);
    expect(d.system_health.memory_usage_pct).toBeGreaterThan(0);
    expect(d.system_health.disk_usage_pct).toBeGreaterThan(0);
    const m = await root.call<{ data: { id: string; online: boolean; history: unknown[] }[] }>(
      "GET",
      "/api/admin/monitoring?hours=1",
    );
    const mine = m.body.data.find((a) => a.id === agentId);
    expect(mine?.online).toBe(true);
    expect(mine?.history.length).toBeGreaterThan(0);
  });

  it("agent-reported errors count in the dashboard's 24 h errors", async () => {
    const before = (await root.call<{ errors_24h: number }>("GET", "/api/admin/dashboard")).body.errors_24h;
    const { ws } = await openLink(signedHeaders());
    expect(ws).not.toBeNull();
    ws?.send(JSON.stringify({ t: "error", level: "error", message: "disk almost full" }));
    await waitFor(
      "the error counted",
      async () =>
        (await root.call<{ errors_24h: number }>("GET", "/api/admin/dashboard")).body.errors_24h > before,
    );
    ws?.close();
  });
});

describe("the control link refuses bad input", () => {
  it("a replayed signature is refused; garbage frames are rejected and then the socket is closed, the edge keeps serving", async () => {
    // The real agent would replace our link when it reconnects: keep it stopped during this test.
    expect(await agent?.stop("SIGTERM")).toBe(0);
    const headers = signedHeaders();
    const first = await openLink(headers);
    expect(first.status).toBe(101);
    const replay = await openLink(headers);
    expect(replay.status).toBe(401);
    const closed = new Promise<number>((res) => first.ws?.once("close", (code) => res(code)));
    for (let i = 0; i < 25; i++)
      first.ws?.send(i % 2 ? "{not json" : JSON.stringify({ t: "metrics", cpu_load_pct: "lots" }));
    first.ws?.send(Buffer.from([0, 1, 2, 3]));
    expect(await closed).toBe(1008);
    const back = startAgent(agentEnv());
    agent = back;
    // This process's own link, not the row's flag: the cut link's row may still read online.
    await waitFor("the agent back online", async () => back.logs.some((l) => l.includes('"link.ready"')));
    await waitFor("the agent's row online", async () => (await agents())[0]?.online);
    expect((await fetch(`${e2e.stack.url}/api/health`)).status).toBe(200);
  });

  it("a bad signature or unknown agent is refused before the upgrade", async () => {
    const h = signedHeaders();
    expect((await openLink({ ...h, [AGENT_LINK_HEADERS.signature]: "A".repeat(86) })).status).toBe(401);
    expect(
      (await openLink({ ...h, [AGENT_LINK_HEADERS.agentId]: "00000000-0000-4000-8000-000000000000" })).status,
    ).toBe(401);
    expect((await openLink({})).status).toBe(401);
  });
});

describe("lifecycle", () => {
  it("goes offline when stopped and comes back on the next start without a token", async () => {
    const t0 = performance.now();
    expect(await agent?.stop("SIGTERM")).toBe(0);
    console.log(`the agent's SIGTERM stop took ${(performance.now() - t0).toFixed(0)} ms`);
    // The edge answers the link's close frame: the agent saw its link closed, it did not have to cut it
    // after its close timeout.
    const logs = agent?.logs.join("\n") ?? "";
    expect(logs).toContain('"link.closed"');
    expect(logs).not.toContain("link.close_unanswered");
    await waitFor("offline", async () => (await agents())[0]?.online === false);
    agent = startAgent(agentEnv());
    await waitFor("online again", async () => (await agents())[0]?.online);
    expect(agent.logs.join("\n")).not.toContain("nse_");
  });

  it("comes back by itself after the edge restarts", async () => {
    const restartedAt = Date.now();
    await e2e.restartEdge();
    admin = new Http(e2e.stack.url, e2e.stack.demoTenantId);
    await admin.login(DEMO_ADMIN.email, DEMO_ADMIN.password);
    // A killed edge never saw the link close, so wait for a connection made after the restart.
    await waitFor(
      "reconnected after the edge restart",
      async () => {
        const [a] = await agents();
        return a?.online && new Date(a.last_connected_at ?? 0).getTime() > restartedAt;
      },
      60_000,
    );
  });

  it("is revoked: its socket closes at once, it stops, and its credential no longer works", async () => {
    const r = await admin.call<{ revoked: { sockets_closed: number } }>("DELETE", `/api/agents/${agentId}`);
    expect(r.status).toBe(200);
    expect(r.body.revoked.sockets_closed).toBe(1);
    expect(await agent?.exited).toBe(3);
    const [row] = await agents();
    expect(row?.status).toBe("revoked");
    expect(row?.online).toBe(false);
    expect((await openLink(signedHeaders())).status).toBe(401);
    // Restarting the revoked agent: the edge refuses its link.
    agent = startAgent(agentEnv());
    await waitFor("refused link logged", async () => agent?.logs.some((l) => /401/.test(l)), 20_000);
    await agent.stop("SIGTERM");
  });
});
