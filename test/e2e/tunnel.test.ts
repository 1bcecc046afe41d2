// The agent's plain-TCP relays end to end, on one stack (the Worker and its SessionRoom in workerd, the real
// agent, PostgreSQL): TCP tunnels (docs/tunnels.md) through the `nostromo tunnel` bundle — a loopback echo
// server gets 1 MB of random bytes on each of two concurrent connections and sends them back intact; the
// stack's PostgreSQL answers a real query; closing the tunnel writes an audit row with the bytes each way;
// the Command Center's kill switch closes the tunnel's local connections; a user without session:start and
// a port the connection does not allow are refused; garbage on one tunnel's socket is dropped or closes
// that socket, never another tunnel — and telnet sessions against Debian's inetutils-telnetd
// (telnetd.ts): log in at its prompts, run a command, a blocked command is blocked, and the password typed
// with echo off is in neither the recording nor the command log; the agent killed and restarted under a
// telnet session reconnects it to the server.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Viewer } from "@nostromo/testkit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import WebSocket from "ws";
import { DEMO_ADMIN, Http, ROOT, startAgent, waitFor } from "./harness.ts";
import { type LiveEnv, openViewer, sessionCommands, startLive, userWithRole } from "./live.ts";
import { startTelnetd, TELNET_PASSWORD, TELNET_USER, type Telnetd } from "./telnetd.ts";

const run = promisify(execFile);
const BIN = join(ROOT, "apps/cli/bin/nostromo.mjs");
const MB = 1024 * 1024;

let live: LiveEnv;
let dir: string;
let echo: Server;
let echoConnection: string;
let pgConnection: string;
const children: ChildProcess[] = [];
const viewers: Viewer[] = [];
let telnetd: Telnetd;

interface Opened {
  child: ChildProcess;
  info: { id: string; session_id: string; local_port: number; host: string; port: number };
  exited: Promise<number | null>;
}

/** Runs `nostromo tunnel … --local 0 --json` and waits for the tunnel's description on stdout. */
async function openTunnel(config: string, connection: string): Promise<Opened> {
  const child = spawn(process.execPath, [BIN, "tunnel", connection, "--local", "0", "--json"], {
    env: { ...process.env, NOSTROMO_CONFIG: config },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  let out = "";
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const info = await new Promise<Opened["info"]>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      try {
        resolve(JSON.parse(out));
      } catch {
        // not complete yet
      }
    });
    void exited.then((code) => reject(new Error(`tunnel exited ${code}: ${out} ${err}`)));
  });
  return { child, info, exited };
}

async function login(config: string, email: string, password: string): Promise<void> {
  const child = execFile(
    process.execPath,
    [
      BIN,
      "login",
      live.e2e.stack.url,
      "--tenant",
      live.e2e.stack.demoTenantId,
      "--email",
      email,
      "--password-stdin",
    ],
    { env: { ...process.env, NOSTROMO_CONFIG: config } },
  );
  child.stdin?.end(`${password}\n`);
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`login exited ${code}`))));
  });
}

/** Sends `data` on a fresh connection to the local port and reads back as many bytes. */
async function roundTrip(port: number, data: Buffer): Promise<Buffer> {
  const socket = connect(port, "127.0.0.1");
  const chunks: Buffer[] = [];
  let got = 0;
  return new Promise((resolve, reject) => {
    socket.on("data", (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (got >= data.length) {
        socket.end();
        resolve(Buffer.concat(chunks));
      }
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error(`closed after ${got} bytes`)));
    socket.write(data);
  });
}

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** A connection through the stack's agent; a telnet one is created, as users do, without any credential. */
async function connection(name: string, port: number, type = "ssh"): Promise<string> {
  const agents = await live.admin.call<{ data: { id: string }[] }>("GET", "/api/agents");
  const r = await live.admin.call<{ id: string; has_password: boolean }>("POST", "/api/connections", {
    name,
    type,
    hostname: "127.0.0.1",
    port,
    username: "tunnel",
    ...(type === "telnet" ? {} : { auth_method: "password", password: "unused-by-tunnels" }),
    agent_id: agents.body.data[0]?.id,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  if (type === "telnet") expect(r.body.has_password).toBe(false);
  return r.body.id;
}

beforeAll(async () => {
  await run(process.execPath, [join(ROOT, "apps/cli/build.mjs")]);
  live = await startLive("tunnel");
  dir = mkdtempSync(join(tmpdir(), "nostromo-tunnel-"));
  echo = createServer((s: Socket) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
  echoConnection = await connection("echo", (echo.address() as AddressInfo).port);
  pgConnection = await connection("postgres", Number(new URL(live.e2e.stack.databaseUrl).port));
  telnetd = await startTelnetd();
}, 240_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  echo?.close();
  for (const v of viewers) v.close();
  telnetd?.stop();
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

/** The tunnel's socket with the admin's cookie (from `origin`, if given, as a browser would say). */
function tunnelSocket(wsUrl: string, origin?: string): WebSocket {
  return new WebSocket(`${live.e2e.stack.url.replace(/^http/, "ws")}${wsUrl}`, {
    headers: { cookie: `sid=${live.admin.cookie}`, "x-tenant-id": live.admin.tenantId ?? "" },
    perMessageDeflate: false,
    ...(origin ? { origin } : {}),
  });
}

/** A tunnel's socket driven by hand, as a broken or hostile CLI would. */
async function rawTunnel(connectionId: string) {
  const r = await live.admin.call<{ id: string; session_id: string; ws_url: string }>(
    "POST",
    "/api/tunnels",
    {
      connection_id: connectionId,
    },
  );
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  // A page of another site, riding the user's cookie, may not take the tunnel over.
  const foreign = tunnelSocket(r.body.ws_url, "https://evil.example");
  const refused = await new Promise<number>((resolve) => {
    foreign.once("unexpected-response", (_q, res) => resolve(res.statusCode ?? 0));
    foreign.once("open", () => resolve(101));
    foreign.once("error", () => resolve(0));
  });
  expect(refused).toBe(403);
  const ws = tunnelSocket(r.body.ws_url);
  const texts: string[] = [];
  const payloads: Buffer[] = [];
  ws.on("message", (d: Buffer, binary: boolean) => {
    if (binary) payloads.push(d.subarray(4));
    else texts.push(d.toString());
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return { id: r.body.id, ws, texts, payloads, closed };
}

/** A binary tunnel frame: the stream id (u32 big-endian), then the payload. */
function chunk(stream: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(4 + payload.length);
  b.writeUInt32BE(stream, 0);
  payload.copy(b, 4);
  return b;
}

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

/** Waits until the viewer's screen (the room's snapshot, then live output) shows `text`. */
async function shows(v: Viewer, text: string | RegExp): Promise<void> {
  await waitFor(`screen shows ${text}`, async () => {
    const screen = (await v.screen()).join("\n");
    return typeof text === "string" ? screen.includes(text) : text.test(screen);
  });
}

/** Types a line as a person does: Enter once the server has echoed it (text the screen does not show
 * when Enter is judged counts as typed with echo off, docs/command-tracker.md). */
async function typeLine(v: Viewer, line: string): Promise<void> {
  v.type(line);
  await shows(v, line);
  v.type("\r");
}

describe("telnet sessions", () => {
  it("log in at the server's prompts, run a command, block one, never keep the password", async () => {
    const { admin } = live;
    const id = await connection("telnetd", telnetd.port, "telnet");
    const blockedFile = join(telnetd.dir, "telnet-blocked");
    const p = await admin.call("POST", "/api/policies", {
      name: "Telnet blocks",
      blocked_commands: [
        {
          name: "No marker",
          pattern_type: "regex",
          pattern: "^touch\\s+\\S*telnet-blocked",
          severity: "high",
        },
        {
          name: "SSH only",
          pattern_type: "contains",
          pattern: "ssh-only-rule",
          severity: "high",
          applies_to_types: ["ssh"],
        },
      ],
    });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    const s = await admin.call<{ id: string; session_id: string; status: string }>(
      "POST",
      "/api/remote-sessions",
      { connection_id: id, cols: 100, rows: 30 },
    );
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    expect(s.body.session_id).toMatch(/^telnet-\d+$/);
    const got = await admin.call<{ type: string }>("GET", `/api/remote-sessions/${s.body.id}`);
    expect(got.body.type).toBe("telnet");
    const rec = await admin.call<{ recording_id: string }>(
      "POST",
      `/api/remote-sessions/${s.body.id}/recording`,
      {
        enabled: true,
      },
    );
    expect(rec.status, JSON.stringify(rec.body)).toBe(200);
    const v = await openViewer(admin, s.body.id, viewers);
    await shows(v, "login:");
    v.type(`${TELNET_USER}\r`);
    await shows(v, "Password:");
    v.type(`${TELNET_PASSWORD}\r`);
    await shows(v, "tel$");
    await typeLine(v, "echo tel-$((6*7)); stty size");
    await shows(v, /^tel-42$/m);
    await v.until("window size from NAWS", () => /30 100/.test(v.text()));
    await typeLine(v, `touch ${blockedFile}`);
    const rows = await waitFor("blocked row", async () => {
      const r = await sessionCommands<{ command: string; status: string }>(admin, s.body.id);
      return r.some((c) => c.status === "blocked") ? r : null;
    });
    expect(rows.find((c) => c.status === "blocked")?.command).toContain("telnet-blocked");
    await typeLine(v, "ls");
    await shows(v, "login.sh");
    // A rule for SSH connections only does not apply here.
    await typeLine(v, "echo ssh-only-rule-$((2+2))");
    await shows(v, /^ssh-only-rule-4$/m);
    expect(existsSync(blockedFile)).toBe(false);
    const end = await admin.call<{ status: string }>("DELETE", `/api/remote-sessions/${s.body.id}`);
    expect(end.body.status).toBe("ended");
    const meta = await waitFor("recording ready", async () => {
      const r = await admin.call<{ status: string }>("GET", `/api/recordings/${rec.body.recording_id}`);
      return r.body.status === "ready" ? r.body : null;
    });
    expect(meta.status).toBe("ready");
    const file = await fetch(`${live.e2e.stack.url}/api/recordings/${rec.body.recording_id}/download`, {
      headers: { cookie: `sid=${admin.cookie}`, "x-tenant-id": admin.tenantId ?? "" },
    });
    const cast = await file.text();
    expect(cast).toContain("tel-42");
    expect(cast).not.toContain(TELNET_PASSWORD);
    expect(v.text()).not.toContain(TELNET_PASSWORD);
    const all = await sessionCommands<{ command: string; output: string | null }>(admin, s.body.id);
    expect(JSON.stringify(all)).not.toContain(TELNET_PASSWORD);
    const audit = await admin.call("GET", "/api/audit?page_size=200");
    expect(JSON.stringify(audit.body)).not.toContain(TELNET_PASSWORD);
    expect(live.agent.logs.join("\n")).not.toContain(TELNET_PASSWORD);
  });

  it("resumes after the agent is killed and restarted: a new telnet connection, logged in again", async () => {
    const { admin } = live;
    const id = await connection("telnetd restart", telnetd.port, "telnet");
    const s = await admin.call<{ id: string; status: string }>("POST", "/api/remote-sessions", {
      connection_id: id,
      cols: 90,
      rows: 25,
    });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    const v = await openViewer(admin, s.body.id, viewers);
    // What the server said since `from` (the viewer's live bytes; the first prompt may be in the snapshot).
    const since = (from: number, text: string) => () => v.text().slice(from).includes(text);
    const logIn = async (from: number) => {
      if (from === 0) await shows(v, "login:");
      else await v.until("login prompt", since(from, "login: "));
      v.type(`${TELNET_USER}\r`);
      await v.until("password prompt", since(from, "Password: "));
      v.type(`${TELNET_PASSWORD}\r`);
      await v.until("shell prompt", since(from, "tel$ "));
    };
    await logIn(0);
    await typeLine(v, "echo before-$((3*3))");
    await shows(v, /^before-9$/m);
    const lastStatus = () => v.frames.filter((f) => f.t === "status").at(-1)?.status;

    await live.agent.stop("SIGKILL");
    await v.until("disconnected", () => lastStatus() === "disconnected");
    const mark = v.text().length;
    live.agent = startAgent(live.agentEnv());
    await v.until("active again", () => lastStatus() === "active", 40_000);
    // The old TCP connection died with the agent: the server greets the reopened one with its login prompt.
    await logIn(mark);
    await typeLine(v, "echo after-$((4*4))");
    await shows(v, /^after-16$/m);
    const row = await admin.call<{ status: string; type: string }>(
      "GET",
      `/api/remote-sessions/${s.body.id}`,
    );
    expect(row.body).toMatchObject({ status: "active", type: "telnet" });
    expect((await admin.call("DELETE", `/api/remote-sessions/${s.body.id}`)).status).toBe(200);
    // Typed twice with echo off, the password is on no screen and in no command row.
    expect(v.text()).not.toContain(TELNET_PASSWORD);
    const rows = await sessionCommands<{ command: string }>(admin, s.body.id);
    expect(rows.map((r) => r.command)).toContain("echo after-$((4*4))");
    expect(JSON.stringify(rows)).not.toContain(TELNET_PASSWORD);
  });
});

describe("connection tests through the agent", () => {
  it("reach the server and check what it says first, per connection type", async () => {
    const test = (id: string) =>
      live.admin.call<{ reached?: boolean; message?: string; error?: { code: string; message: string } }>(
        "POST",
        `/api/connections/${id}/test`,
      );
    const ssh = await test(live.connectionId);
    expect(ssh.status, JSON.stringify(ssh.body)).toBe(200);
    expect(ssh.body.message).toContain("SSH banner");
    const telnet = await test(await connection("telnetd probe", telnetd.port, "telnet"));
    expect(telnet.status, JSON.stringify(telnet.body)).toBe(200);
    expect(telnet.body.message).toContain("telnet option negotiation");
    // An SSH connection whose port is the echo server: reached, but not an SSH server.
    const wrong = await test(echoConnection);
    expect(wrong.status).toBe(502);
    expect(wrong.body.error?.message).toContain("did not answer with an SSH banner");
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = await test(await connection("nothing listens", port, "rdp"));
    expect(refused.status).toBe(502);
    expect(refused.body.error?.code).toBe("TARGET_UNREACHABLE");
    expect(refused.body.error?.message).toContain("ECONNREFUSED");
  });
});
