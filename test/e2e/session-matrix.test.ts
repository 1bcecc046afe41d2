// The session rows of the seed's role matrix, on the real routes with a real agent and sshd (they need a
// live session, so they live here rather than in test/integration/permission-matrix.test.ts):
// Iniciar sesión, Unirse a sesión, Ver sesión, Ejecutar comandos, Terminar sesión (Technician: own only).
// On the same stack, the session types beyond SSH that need no browser: telnet sessions against Debian's
// inetutils-telnetd (telnetd.ts) — log in at its prompts, run a command, a blocked command is blocked, and
// the password typed with echo off is in neither the recording nor the command log; the agent killed and
// restarted under a telnet session reconnects it to the server — and connection tests per type.

import { existsSync } from "node:fs";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { agentConnection, type Viewer } from "@nostromo/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Http, startAgent, waitFor } from "./harness.ts";
import { type LiveEnv, openViewer, sessionCommands, startLive } from "./live.ts";
import { startTelnetd, TELNET_PASSWORD, TELNET_USER, type Telnetd } from "./telnetd.ts";

let live: LiveEnv;
const viewers: Viewer[] = [];
let telnetd: Telnetd;
let echo: Server;
let echoConnection: string;
const users: Record<"Admin" | "Technician" | "Observer", Http> = {} as Record<
  "Admin" | "Technician" | "Observer",
  Http
>;

beforeAll(async () => {
  live = await startLive("matrix");
  const roles = await live.admin.call<{ data: { id: string; name: string }[] }>("GET", "/api/roles");
  for (const role of ["Admin", "Technician", "Observer"] as const) {
    const email = `${role.toLowerCase()}-matrix@demo-e2e.example`;
    const r = await live.admin.call("POST", "/api/users", {
      email,
      name: `${role} Matrix`,
      password: "matrix-password-1",
      role_id: roles.body.data.find((x) => x.name === role)?.id,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    users[role] = new Http(live.e2e.stack.url, live.e2e.stack.demoTenantId);
    await users[role].login(email, "matrix-password-1");
  }
  telnetd = await startTelnetd();
  echo = createServer((s: Socket) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
  echoConnection = await connection("echo", (echo.address() as AddressInfo).port);
}, 240_000);

afterAll(async () => {
  for (const v of viewers) v.close();
  telnetd?.stop();
  echo?.close();
  await live?.close();
});

const connection = (name: string, port: number, type = "ssh") =>
  agentConnection(live.admin, name, port, type);

const start = (c: Http) =>
  c.call<{ id: string }>("POST", "/api/remote-sessions", {
    connection_id: live.connectionId,
    cols: 80,
    rows: 24,
  });

describe("Iniciar sesión (session:start)", () => {
  it("Admin ✅", async () => expect((await start(users.Admin)).status).toBe(201));
  it("Technician ✅", async () => expect((await start(users.Technician)).status).toBe(201));
  it("Observer ❌", async () => expect((await start(users.Observer)).status).toBe(403));
});

describe("Unirse a sesión / Ver sesión (session:join, session:view)", () => {
  for (const role of ["Admin", "Technician", "Observer"] as const) {
    it(`${role} ✅ joins and sees the screen`, async () => {
      const { body } = await start(live.admin);
      const v = await openViewer(users[role], body.id, viewers);
      await v.until("snapshot", () => Boolean(v.frame("snapshot")));
      expect(v.frame("hello")).toMatchObject({ you: { canSee: true } });
      const list = await users[role].call("GET", `/api/remote-sessions/${body.id}`);
      expect(list.status).toBe(200);
    });
  }
});

describe("Ejecutar comandos (typing in a session one may run commands in)", () => {
  for (const [role, allowed] of [
    ["Admin", true],
    ["Technician", true],
    ["Observer", false],
  ] as const) {
    it(`${role} ${allowed ? "✅" : "❌"}`, async () => {
      const { body } = await start(live.admin);
      // Invited as collaborator: typing then depends only on the role's right to run commands.
      const me = await users[role].call<{ principal: { id: string } }>("GET", "/api/auth/me");
      const inv = await live.admin.call("POST", `/api/remote-sessions/${body.id}/participants`, {
        user_id: me.body.principal.id,
        role: "collaborator",
      });
      expect(inv.status, JSON.stringify(inv.body)).toBe(200);
      // The invitee finds it among their invitations (the owner does not), until they join.
      type Invites = { data: { id: string; role: string; type: string }[] };
      const pending = (who: (typeof users)[typeof role]) =>
        who.call<Invites>("GET", "/api/remote-sessions/invitations").then((r) => r.body.data);
      expect((await pending(users[role])).find((i) => i.id === body.id)).toMatchObject({
        role: "collaborator",
        type: "ssh",
      });
      expect((await pending(live.admin)).map((i) => i.id)).not.toContain(body.id);
      const v = await openViewer(users[role], body.id, viewers);
      expect(v.frame("hello")).toMatchObject({ you: { canType: allowed } });
      expect((await pending(users[role])).map((i) => i.id)).not.toContain(body.id);
      await new Promise((r) => setTimeout(r, 1500));
      v.type(`echo typed-by-${role.toLowerCase()}-$((20+3))\r`);
      if (allowed) await v.until("ran", () => v.text().includes(`typed-by-${role.toLowerCase()}-23`));
      else {
        await v.until("refused", () => v.frames.some((f) => f.t === "error" && f.code === "FORBIDDEN"));
        await new Promise((r) => setTimeout(r, 800));
        expect(v.text()).not.toContain(`typed-by-${role.toLowerCase()}-23`);
      }
    });
  }
});

describe("Terminar sesión (session:end; Technician only their own)", () => {
  it("Admin ✅ any session", async () => {
    const { body } = await start(users.Technician);
    expect((await users.Admin.call("DELETE", `/api/remote-sessions/${body.id}`)).status).toBe(200);
  });
  it("Technician ⚠️ its own ✅", async () => {
    const { body } = await start(users.Technician);
    expect((await users.Technician.call("DELETE", `/api/remote-sessions/${body.id}`)).status).toBe(200);
  });
  it("Technician ⚠️ someone else's ❌", async () => {
    const { body } = await start(users.Admin);
    expect((await users.Technician.call("DELETE", `/api/remote-sessions/${body.id}`)).status).toBe(403);
  });
  it("Observer ❌", async () => {
    const { body } = await start(users.Admin);
    expect((await users.Observer.call("DELETE", `/api/remote-sessions/${body.id}`)).status).toBe(403);
  });
});

describe("what a session shows each caller (GET /api/remote-sessions, GET /api/remote-sessions/:id)", () => {
  type Row = { id: string; client_ip?: string; user_agent?: string; login_session_id?: unknown };
  it("never shows login session ids; client IP and user agent only to the owner and to audit:view", async () => {
    const role = await live.admin.call<{ id: string }>("POST", "/api/roles", {
      name: "Session watcher",
      permissions: ["session:view", "session:start"],
    });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
    const email = "watcher-matrix@demo-e2e.example";
    const created = await live.admin.call("POST", "/api/users", {
      email,
      name: "Watcher Matrix",
      password: "matrix-password-1",
      role_id: role.body.id,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const watcher = new Http(live.e2e.stack.url, live.e2e.stack.demoTenantId);
    await watcher.login(email, "matrix-password-1");
    const others = (await start(live.admin)).body.id;
    const own = (await start(watcher)).body.id;

    const seen = async (c: Http) => {
      const list = await c.call<{ data: Row[] }>("GET", "/api/remote-sessions?page_size=200");
      expect(list.status, JSON.stringify(list.body)).toBe(200);
      const one = async (id: string) => (await c.call<Row>("GET", `/api/remote-sessions/${id}`)).body;
      const find = (id: string) => list.body.data.find((r) => r.id === id);
      return { others: [find(others), await one(others)], own: [find(own), await one(own)] };
    };
    const asWatcher = await seen(watcher);
    for (const r of asWatcher.others) {
      expect(r).toBeDefined();
      expect(r).not.toHaveProperty("client_ip");
      expect(r).not.toHaveProperty("user_agent");
      expect(r).not.toHaveProperty("login_session_id");
    }
    for (const r of asWatcher.own) {
      expect(r?.client_ip).toEqual(expect.any(String));
      expect(r?.user_agent).toEqual(expect.any(String));
      expect(r).not.toHaveProperty("login_session_id");
    }
    const asAdmin = await seen(live.admin);
    for (const r of [...asAdmin.others, ...asAdmin.own]) {
      expect(r?.client_ip).toEqual(expect.any(String));
      expect(r).not.toHaveProperty("login_session_id");
    }
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
