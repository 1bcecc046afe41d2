// TCP tunnels end to end (docs/tunnels.md), on one stack (the Worker and its SessionRoom in workerd, the real
// agent, PostgreSQL) through the `nostromo tunnel` bundle: a loopback echo server gets 1 MB of random bytes
// on each of two concurrent connections and sends them back intact; the stack's PostgreSQL answers a real
// query; closing the tunnel writes an audit row with the bytes each way; the Command Center's kill switch
// closes the tunnel's local connections, and its list of every tenant's live remote sessions shows a
// tunnel beside another tenant's SSH session and kills each; a user without session:start and a port the
// connection does not allow are refused; garbage on one tunnel's socket is dropped or closes that socket,
// never another tunnel. (Telnet sessions and connection tests per type: session-matrix.test.ts.)
import { type ChildProcess, execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { agentConnection } from "@nostromo/testkit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AgentProcess, DEMO_ADMIN, Http, ROOT, waitFor } from "./harness.ts";
import { type LiveEnv, secondTenantSession, startLive, userWithRole } from "./live.ts";
import { BIN, chunk, cliLogin, handDrivenTunnel, roundTrip, sha, spawnTunnel } from "./tunnel-clients.ts";

const run = promisify(execFile);
const MB = 1024 * 1024;

let live: LiveEnv;
let dir: string;
let echo: Server;
let echoConnection: string;
let pgConnection: string;
const children: ChildProcess[] = [];
const agents: AgentProcess[] = [];

/** Runs `nostromo tunnel … --local 0 --json`; the process is killed after the file. */
const openTunnel = (config: string, connection: string) => spawnTunnel(config, connection, children);

/** `nostromo login` into the demo tenant, writing the CLI's config at `config`. */
const login = (config: string, email: string, password: string) =>
  cliLogin(live.e2e.stack.url, live.e2e.stack.demoTenantId, config, email, password);

const connection = (name: string, port: number, type = "ssh") =>
  agentConnection(live.admin, name, port, type);

beforeAll(async () => {
  await run(process.execPath, [join(ROOT, "apps/cli/build.mjs")]);
  live = await startLive("tunnel");
  dir = mkdtempSync(join(tmpdir(), "nostromo-tunnel-"));
  echo = createServer((s: Socket) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
  echoConnection = await connection("echo", (echo.address() as AddressInfo).port);
  pgConnection = await connection("postgres", Number(new URL(live.e2e.stack.databaseUrl).port));
}, 240_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  for (const a of agents) await a.stop("SIGKILL");
  echo?.close();
  await live?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("nostromo tunnel", () => {
  it("carries 1 MB each way on two concurrent connections intact, and audits the bytes", async () => {
    const config = join(dir, "admin.json");
    await login(config, DEMO_ADMIN.email, DEMO_ADMIN.password);
    const t = await openTunnel(config, "echo");
    expect(t.info.session_id).toMatch(/^tunnel-\d+$/);
    const a = randomBytes(MB);
    const b = randomBytes(MB);
    const started = performance.now();
    const [ra, rb] = await Promise.all([roundTrip(t.info.local_port, a), roundTrip(t.info.local_port, b)]);
    console.log(`tunnel: 2 x 1 MB echoed in ${(performance.now() - started).toFixed(0)} ms`);
    expect(ra.length).toBe(MB);
    expect(sha(ra)).toBe(sha(a));
    expect(sha(rb)).toBe(sha(b));

    const listed = await live.admin.call<{ data: { session_id: string; type: string }[] }>(
      "GET",
      "/api/remote-sessions?status=active&type=tunnel&page_size=100",
    );
    expect(listed.body.data.map((r) => r.session_id)).toContain(t.info.session_id);
    expect(new Set(listed.body.data.map((r) => r.type))).toEqual(new Set(["tunnel"]));
    const ssh = await live.admin.call<{ data: { session_id: string }[] }>(
      "GET",
      "/api/remote-sessions?type=ssh&page_size=100",
    );
    expect(ssh.body.data.map((r) => r.session_id)).not.toContain(t.info.session_id);
    // The CLI lists it by type too.
    const cli = await run(process.execPath, [BIN, "sessions", "--live", "--type", "tunnel", "--json"], {
      env: { ...process.env, NOSTROMO_CONFIG: config },
    });
    const listedByCli = JSON.parse(cli.stdout) as { session_id: string; type: string }[];
    expect(listedByCli.find((r) => r.session_id === t.info.session_id)?.type).toBe("tunnel");
    expect(listedByCli.every((r) => r.type === "tunnel")).toBe(true);
    const bad = await live.admin.call<{ error: { code: string } }>("GET", "/api/remote-sessions?type=ftp");
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VALIDATION_ERROR");
    t.child.kill("SIGINT");
    expect(await t.exited).toBe(0);
    await waitFor("tunnel ended", async () => {
      const s = await live.admin.call<{ status: string }>("GET", `/api/remote-sessions/${t.info.id}`);
      return s.body.status === "ended";
    });
    const rows = await waitFor("audit row", async () => {
      const r = await live.admin.call<{ data: { session_id: string; metadata: Record<string, number> }[] }>(
        "GET",
        "/api/audit?type=session.ended&page_size=50",
      );
      return r.body.data.find((e) => e.session_id === t.info.id && e.metadata.bytes_up !== undefined);
    });
    expect(rows.metadata.bytes_up).toBe(2 * MB);
    expect(rows.metadata.bytes_down).toBe(2 * MB);
    expect(rows.metadata.connections).toBe(2);
    expect(rows.metadata.duration_ms).toBeGreaterThan(0);
  });

  it("reaches PostgreSQL with a real client query; DELETE ends the tunnel", async () => {
    const t = await openTunnel(join(dir, "admin.json"), "postgres");
    const url = new URL(live.e2e.stack.databaseUrl);
    url.hostname = "127.0.0.1";
    url.port = String(t.info.local_port);
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const r = await client.query<{ n: number; big: string }>(
      "select 41 + 1 as n, repeat('x', 300000) as big",
    );
    expect(r.rows[0]?.n).toBe(42);
    expect(r.rows[0]?.big.length).toBe(300000);
    const lost = new Promise<void>((resolve) => client.once("error", () => resolve()));
    const d = await live.admin.call("DELETE", `/api/remote-sessions/${t.info.id}`);
    expect(d.status).toBe(200);
    expect(await t.exited).toBe(0);
    await lost;
    await client.end().catch(() => {});
  });

  it("the Command Center's kill switch closes the tunnel's local connections", async () => {
    const email = "tunnel.tech@demo.test";
    const password = "Tunnel-tech-pw-1!";
    await userWithRole(live, "Technician", { email, name: "Tunnel Tech", password });
    const config = join(dir, "tech.json");
    await login(config, email, password);
    const t = await openTunnel(config, "echo");
    const socket = connect(t.info.local_port, "127.0.0.1");
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.on("error", () => {});
    const echoed = new Promise<string>((resolve) =>
      socket.once("data", (d: Buffer) => resolve(d.toString())),
    );
    socket.write("ping");
    expect(await echoed).toBe("ping");

    const root = new Http(live.e2e.stack.url);
    await root.login(inject("superAdmin").email, inject("superAdmin").password);
    const logins = await root.call<{ data: { id: string; email: string }[] }>("GET", "/api/sessions");
    const tech = logins.body.data.filter((l) => l.email === email);
    expect(tech.length).toBeGreaterThan(0);
    const ended: string[] = [];
    for (const l of tech) {
      const k = await root.call<{ closed: { sessions_ended?: string[] } }>("DELETE", `/api/sessions/${l.id}`);
      expect(k.status).toBe(200);
      ended.push(...(k.body.closed.sessions_ended ?? []));
    }
    expect(ended).toContain(t.info.session_id);
    await closed;
    expect(await t.exited).toBe(0);
  });

  it("is listed with another tenant's SSH session in the Command Center, and killed from it", async () => {
    const root = new Http(live.e2e.stack.url);
    await root.login(inject("superAdmin").email, inject("superAdmin").password);
    // A second tenant with its own agent (same sshd) and a live SSH session watched by its admin.
    const b = await secondTenantSession(live, root, join(dir, "agent-b"), agents);
    const [tenantB, adminB, ssh, viewer] = [b.tenant, b.admin, b.ssh, b.viewer];

    // The demo tenant's tunnel, opened with the CLI, carrying bytes.
    const t = await openTunnel(join(dir, "admin.json"), "echo");
    const socket = connect(t.info.local_port, "127.0.0.1");
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.on("error", () => {});
    const echoed = new Promise<string>((resolve) =>
      socket.once("data", (d: Buffer) => resolve(d.toString())),
    );
    socket.write("ping-from-the-command-center-test");
    expect(await echoed).toBe("ping-from-the-command-center-test");

    type Remote = {
      id: string;
      session_id: string;
      type: string;
      tenant_id: string;
      tenant_name: string;
      connection_name: string;
      host: string;
      owner_email: string;
      participants: number;
      bytes_up: number | null;
      bytes_down: number | null;
    };
    const list = () =>
      root.call<{ data: Remote[]; unreadable_tenants: unknown[] }>(
        "GET",
        "/api/admin/remote-sessions?page_size=200",
      );
    const before = await list();
    expect(before.status, JSON.stringify(before.body)).toBe(200);
    expect(before.body.unreadable_tenants).toEqual([]);
    const tunnel = before.body.data.find((s) => s.id === t.info.id);
    expect(tunnel).toMatchObject({
      session_id: t.info.session_id,
      type: "tunnel",
      tenant_id: live.e2e.stack.demoTenantId,
      connection_name: "echo",
      host: "127.0.0.1",
      owner_email: DEMO_ADMIN.email,
    });
    expect(tunnel?.bytes_up).toBe("ping-from-the-command-center-test".length);
    expect(tunnel?.bytes_down).toBe("ping-from-the-command-center-test".length);
    expect(before.body.data.find((s) => s.id === ssh.id)).toMatchObject({
      session_id: ssh.session_id,
      type: "ssh",
      tenant_id: tenantB.id,
      tenant_name: "Second Tenant",
      owner_email: "admin@second.example",
      participants: 1,
      bytes_up: null,
    });
    const onlyTunnels = await root.call<{ data: Remote[] }>("GET", "/api/admin/remote-sessions?type=tunnel");
    expect(onlyTunnels.body.data.map((s) => s.type)).toEqual(onlyTunnels.body.data.map(() => "tunnel"));
    expect(onlyTunnels.body.data.map((s) => s.id)).not.toContain(ssh.id);
    // A tenant's admin may not see across tenants, nor kill from here.
    expect((await live.admin.call("GET", "/api/admin/remote-sessions")).status).toBe(403);
    const refused = await adminB.call("DELETE", `/api/admin/remote-sessions/${tenantB.id}/${ssh.id}`);
    expect(refused.status).toBe(403);

    // Kill the tunnel: the CLI's local connection closes and the command exits 0.
    const killed = await root.call<{ status: string; already_ended: boolean; session_id: string }>(
      "DELETE",
      `/api/admin/remote-sessions/${live.e2e.stack.demoTenantId}/${t.info.id}`,
    );
    expect(killed.status, JSON.stringify(killed.body)).toBe(200);
    expect(killed.body).toMatchObject({
      session_id: t.info.session_id,
      status: "ended",
      already_ended: false,
    });
    await closed;
    expect(await t.exited).toBe(0);
    const row = await live.admin.call<{ status: string }>("GET", `/api/remote-sessions/${t.info.id}`);
    expect(row.body.status).toBe("ended");
    type Audit = {
      data: { session_id: string; action: string; status: string; metadata: Record<string, number> }[];
    };
    const closing = await waitFor("closing audit row", async () => {
      const r = await live.admin.call<Audit>("GET", "/api/audit?type=session.ended&page_size=50");
      return r.body.data.find((e) => e.session_id === t.info.id && e.metadata.bytes_up !== undefined);
    });
    expect(closing.metadata.bytes_up).toBe("ping-from-the-command-center-test".length);
    expect(closing.metadata.bytes_down).toBe("ping-from-the-command-center-test".length);
    expect(closing.metadata.duration_ms).toBeGreaterThan(0);
    const trail = await live.admin.call<Audit>("GET", "/api/audit?type=session.ended&page_size=50");
    expect(trail.body.data.find((e) => e.session_id === t.info.id && e.action === "kill")).toMatchObject({
      status: "warning",
    });

    // Kill the other tenant's SSH session: its viewer's socket closes, the row is ended.
    const k2 = await root.call<{ status: string }>(
      "DELETE",
      `/api/admin/remote-sessions/${tenantB.id}/${ssh.id}`,
    );
    expect(k2.status, JSON.stringify(k2.body)).toBe(200);
    await viewer.until("socket closed", () => viewer.closed !== null);
    viewer.close();
    const rowB = await adminB.call<{ status: string }>("GET", `/api/remote-sessions/${ssh.id}`);
    expect(rowB.body.status).toBe("ended");
    const auditB = await adminB.call<Audit>("GET", "/api/audit?type=session.ended&page_size=50");
    expect(auditB.body.data.find((e) => e.session_id === ssh.id && e.action === "kill")).toBeDefined();

    // Neither is listed any more; killing again says it had already ended; the platform trail has both.
    const after = await list();
    expect(after.body.data.map((s) => s.id)).not.toContain(t.info.id);
    expect(after.body.data.map((s) => s.id)).not.toContain(ssh.id);
    const again = await root.call<{ already_ended: boolean }>(
      "DELETE",
      `/api/admin/remote-sessions/${tenantB.id}/${ssh.id}`,
    );
    expect(again.body.already_ended).toBe(true);
    const db = new pg.Client({ connectionString: live.e2e.stack.databaseUrl });
    await db.connect();
    try {
      const platform = await db.query<{ tenant_id: string; actor_email: string }>(
        "select tenant_id, actor_email from command.platform_audit_log where event_type = 'session.killed' and metadata->>'sessionId' = any($1)",
        [[t.info.id, ssh.id]],
      );
      expect(platform.rows.map((r) => r.tenant_id).sort()).toEqual(
        [live.e2e.stack.demoTenantId, tenantB.id, tenantB.id].sort(),
      );
      expect(new Set(platform.rows.map((r) => r.actor_email))).toEqual(new Set([inject("superAdmin").email]));
    } finally {
      await db.end();
    }
  });

  it("refuses a user without session:start and a port the connection does not allow; allows a tagged one", async () => {
    const observer = await userWithRole(live, "Observer", {
      email: "tunnel.observer@demo.test",
      name: "Tunnel Observer",
      password: "Tunnel-observer-pw-1!",
    });
    const r = await observer.call<{ error: { code: string } }>("POST", "/api/tunnels", {
      connection_id: echoConnection,
    });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("FORBIDDEN");
    const port = await live.admin.call<{ error: { code: string } }>("POST", "/api/tunnels", {
      connection_id: pgConnection,
      remote_port: 22,
    });
    expect(port.status).toBe(403);
    // A port the connection allows with a tunnel-port tag is reachable.
    const pgPort = Number(new URL(live.e2e.stack.databaseUrl).port);
    const tag = await live.admin.call("PATCH", `/api/connections/${echoConnection}`, {
      tags: [`tunnel-port:${pgPort}`],
    });
    expect(tag.status, JSON.stringify(tag.body)).toBe(200);
    const allowed = await live.admin.call<{ id: string; port: number }>("POST", "/api/tunnels", {
      connection_id: echoConnection,
      remote_port: pgPort,
    });
    expect(allowed.status, JSON.stringify(allowed.body)).toBe(201);
    expect(allowed.body.port).toBe(pgPort);
    expect((await live.admin.call("DELETE", `/api/remote-sessions/${allowed.body.id}`)).status).toBe(200);
  });
});

/** A tunnel's socket driven by hand by the demo admin, as a broken or hostile CLI would. */
const rawTunnel = (connectionId: string) => handDrivenTunnel(live.e2e.stack.url, live.admin, connectionId);

describe("garbage on a tunnel socket", () => {
  it("is dropped or closes that socket with a reason; another tunnel carries on", async () => {
    const healthy = await openTunnel(join(dir, "admin.json"), "echo");
    const before = randomBytes(64 * 1024);
    expect(sha(await roundTrip(healthy.info.local_port, before))).toBe(sha(before));

    const t = await rawTunnel(echoConnection);
    // Dropped: not JSON, a known type with bad fields, types nobody knows (a newer client's, never a reason
    // to cut), the agent's own answer, binary frames without a stream, for stream 0 or a stream never opened.
    for (const garbage of [
      "not json",
      "{",
      JSON.stringify({ t: "tcp.ack", stream: 1, bytes: -5 }),
      JSON.stringify({ t: "tcp.open", stream: "one" }),
      JSON.stringify({ t: "tcp.opened", stream: 9 }),
      JSON.stringify({ t: "tcp.data", stream: 1 }),
      ...Array.from({ length: 60 }, (_, i) => JSON.stringify({ t: `future.frame.${i}` })),
    ])
      t.ws.send(garbage);
    t.ws.send(Buffer.from([1, 2, 3]));
    t.ws.send(chunk(0, Buffer.from("stream zero")));
    t.ws.send(chunk(77, Buffer.from("never opened")));
    t.ws.send(randomBytes(1000));
    // The tunnel still works: a stream opened now echoes.
    t.ws.send(JSON.stringify({ t: "tcp.open", stream: 1 }));
    await waitFor("stream opened", async () => t.texts.some((x) => x.includes('"tcp.opened"')));
    t.ws.send(chunk(1, Buffer.from("still-here")));
    await waitFor("echo", async () => Buffer.concat(t.payloads).toString() === "still-here");
    // A stream id that does not increase is refused with its reason.
    t.ws.send(JSON.stringify({ t: "tcp.open", stream: 1 }));
    await waitFor("refusal", async () => t.texts.some((x) => x.includes("stream ids must increase")));
    // Past 50 malformed frames the socket is closed, and the tunnel with it.
    for (let i = 0; i < 51; i++) t.ws.send(`garbage ${i}`);
    expect(await t.closed).toEqual({ code: 1008, reason: "too many malformed frames" });

    // A frame over the chunk limit closes that socket at once (1009).
    const big = await rawTunnel(echoConnection);
    big.ws.send(chunk(1, randomBytes(64 * 1024 + 1)));
    expect((await big.closed).code).toBe(1009);

    for (const id of [t.id, big.id])
      await waitFor("garbage tunnel ended", async () => {
        const s = await live.admin.call<{ status: string }>("GET", `/api/remote-sessions/${id}`);
        return s.body.status === "ended";
      });
    // The other tunnel never noticed: its new connections still carry bytes intact.
    const after = randomBytes(256 * 1024);
    expect(sha(await roundTrip(healthy.info.local_port, after))).toBe(sha(after));
    healthy.child.kill("SIGINT");
    expect(await healthy.exited).toBe(0);
  });
});
