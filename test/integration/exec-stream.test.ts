// POST /api/connections/:id/exec asked for a stream (Accept: application/x-ndjson): what is known before
// the command is sent is an ordinary error status, exactly as for the JSON answer — a policy refusal is
// 403 FORBIDDEN with the rule and the command's record (the command never reaches an agent, the refusal is
// audited), an agent that is not connected is 409 AGENT_OFFLINE with nothing left on record, an unknown
// connection 404. (The stream itself, with a real agent and OpenSSH, is in test/e2e/cli.test.ts and
// test/e2e/agent-abuse.test.ts.)
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Client,
  type ProvisionedTenant,
  provision,
  sqlQuery,
  superAdmin,
  tenantClient,
} from "../support/api.ts";

type Err = { error: { code: string; message: string; details?: Record<string, unknown> } };

const NDJSON = { accept: "application/x-ndjson" };
let t: ProvisionedTenant;
let admin: Client;
let connectionId: string;

const sessions = async () =>
  Number(
    (await sqlQuery<{ n: string }>(`select count(*) n from "session" where organization_id = $1`, [t.id]))[0]
      ?.n,
  );

beforeAll(async () => {
  t = await provision(await superAdmin());
  admin = await tenantClient(t);
  const [agent] = await sqlQuery<{ id: string }>(
    `insert into command.agents (tenant_id, name, public_key) values ($1, 'exec-stream', 'AAAA') returning id`,
    [t.id],
  );
  const conn = await admin.post<{ id: string }>("/api/connections", {
    name: "exec-stream-target",
    hostname: "127.0.0.1",
    username: "root",
    auth_method: "password",
    password: "pw",
    agent_id: agent?.id,
  });
  expect(conn.status, JSON.stringify(conn.body)).toBe(201);
  connectionId = conn.body.id;
  const policy = await admin.post("/api/policies", {
    name: "no shutdown",
    blocked_commands: [{ name: "shutdown", pattern: "shutdown", pattern_type: "contains" }],
  });
  expect(policy.status, JSON.stringify(policy.body)).toBe(201);
});

describe("exec asked for a stream", () => {
  it("a blocked command is 403 FORBIDDEN with its record and rule, never sent, and audited", async () => {
    const r = await admin.call<Err>("POST", `/api/connections/${connectionId}/exec`, {
      body: { command: "shutdown -h now" },
      headers: NDJSON,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(403);
    expect(r.headers.get("content-type")).toContain("application/json");
    expect(r.body.error.code).toBe("FORBIDDEN");
    const commandId = String(r.body.error.details?.command_id);
    expect(r.body.error.details).toMatchObject({ decision: "block" });
    const [row] = await sqlQuery<{ status: string; was_blocked: boolean }>(
      `select status, was_blocked from command where id = $1`,
      [commandId],
    );
    expect(row).toMatchObject({ status: "blocked", was_blocked: true });
    const audited = await sqlQuery<{ event_type: string }>(
      `select event_type from audit_log where organization_id = $1 and metadata->>'commandId' = $2`,
      [t.id, commandId],
    );
    expect(audited.map((a) => a.event_type)).toContain("command.blocked");
  });

  it("an agent that is not connected is 409 AGENT_OFFLINE, and nothing is left on record", async () => {
    const before = await sessions();
    const r = await admin.call<Err>("POST", `/api/connections/${connectionId}/exec`, {
      body: { command: "uptime" },
      headers: NDJSON,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(409);
    expect(r.body.error.code).toBe("AGENT_OFFLINE");
    expect(await sessions()).toBe(before);
  });

  it("an unknown connection is 404", async () => {
    const r = await admin.call<Err>("POST", "/api/connections/00000000-0000-4000-8000-000000000000/exec", {
      body: { command: "uptime" },
      headers: NDJSON,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(404);
  });
});
