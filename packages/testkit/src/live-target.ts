// What every live-session test and benchmark sets up on a running stack: an enrolled agent (started by
// the caller's way: tsx sources or the container bundle), waited for until online, and a password
// connection through it to a loopback sshd. One copy for test/e2e, bench/ and the fault runs.
import type { Http } from "./http.ts";
import type { TestSshd } from "./sshd.ts";
import { waitFor } from "./wait.ts";

export const DEMO_ADMIN = { email: "admin@demo-e2e.example", password: "demo-admin-password-e2e" };

/** A one-time enrolment token for a new agent. */
export async function enrollmentToken(admin: Http): Promise<string> {
  const r = await admin.call<{ token: string }>("POST", "/api/agents/enrollment-tokens", {});
  if (r.status !== 201 && r.status !== 200)
    throw new Error(`enrolment token refused: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token;
}

/** The id of an online agent, once one is. */
export function agentOnline(admin: Http, timeoutMs?: number): Promise<string> {
  return waitFor(
    "agent online",
    async () => {
      const r = await admin.call<{ data: { id: string; online: boolean }[] }>("GET", "/api/agents");
      return r.body.data.find((a) => a.online)?.id;
    },
    timeoutMs,
  );
}

/** A password connection to the sshd through the agent; returns the connection's id. */
export async function sshdConnection(
  admin: Http,
  sshd: TestSshd,
  agentId: string,
  name: string,
): Promise<string> {
  const conn = await admin.call<{ id: string }>("POST", "/api/connections", {
    name,
    hostname: "127.0.0.1",
    port: sshd.port,
    username: sshd.user,
    auth_method: "password",
    password: sshd.password,
    agent_id: agentId,
  });
  if (conn.status !== 201)
    throw new Error(`connection create failed: ${conn.status} ${JSON.stringify(conn.body)}`);
  return conn.body.id;
}

/** A connection of `type` to 127.0.0.1:`port` through the tenant's first agent; a telnet one is created,
 * as users do, without any credential (and the answer must say it holds none). Returns its id. */
export async function agentConnection(
  admin: Http,
  name: string,
  port: number,
  type = "ssh",
): Promise<string> {
  const agents = await admin.call<{ data: { id: string }[] }>("GET", "/api/agents");
  const r = await admin.call<{ id: string; has_password: boolean }>("POST", "/api/connections", {
    name,
    type,
    hostname: "127.0.0.1",
    port,
    username: "e2e",
    ...(type === "telnet" ? {} : { auth_method: "password", password: "unused-by-these-tests" }),
    agent_id: agents.body.data[0]?.id,
  });
  if (r.status !== 201) throw new Error(`connection create failed: ${r.status} ${JSON.stringify(r.body)}`);
  if (type === "telnet" && r.body.has_password)
    throw new Error("a telnet connection says it holds a password");
  return r.body.id;
}

/** Enrols an agent started by `start(token)`, waits until it is online and connects it to the sshd. */
export async function liveTarget<A>(
  admin: Http,
  sshd: TestSshd,
  name: string,
  start: (token: string) => A,
): Promise<{ agent: A; agentId: string; connectionId: string }> {
  const agent = start(await enrollmentToken(admin));
  const agentId = await agentOnline(admin);
  return { agent, agentId, connectionId: await sshdConnection(admin, sshd, agentId, name) };
}
