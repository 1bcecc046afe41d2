// Command integrity end to end (issue 12): every way bash and readline accept a line is judged before the
// shell runs it — CR, LF, CRLF, multi-line pastes in one frame or many, reverse search, operate-and-get-next,
// insert-comment — a secret typed with echo off never lands anywhere, an Enter inside a running program
// is not delayed, and an oversized input frame is refused without harming the session. Real OpenSSH sshd,
// the real agent and the Worker in workerd; the destructive programs are harmless stand-ins on the target
// that log if they ever run.

import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Viewer } from "@nostromo/testkit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LiveEnv, openViewer, sessionCommands, settle, startLive } from "./live.ts";

const STANDINS = ["rm", "shutdown", "reboot"];
const SECRET = "Tr0ub4dor-forbidden-7731";
let live: LiveEnv;
let home = "";
let standinLog = "";
let webhook: Server;
const webhookBodies: string[] = [];
const viewers: Viewer[] = [];
const savedProfiles = new Map<string, string | null>();

type Cmd = { command: string; status: string; was_blocked: boolean; blocked_reason: string | null };

const ranStandins = () => (existsSync(standinLog) ? readFileSync(standinLog, "utf8") : "");

const commands = (sessionId: string) => sessionCommands<Cmd>(live.admin, sessionId);

const count = (v: Viewer, code: string) => v.frames.filter((f) => f.t === "notice" && f.code === code).length;

async function notices(v: Viewer, code: string, n: number): Promise<void> {
  await v.until(`${n} ${code} notices`, () => count(v, code) >= n, 20_000);
}

async function fresh(): Promise<{ id: string; v: Viewer }> {
  const { id } = await live.start();
  const v = await openViewer(live.admin, id, viewers);
  await settle(v);
  return { id, v };
}

beforeAll(async () => {
  // An account of its own: other test files (command-enforcement) rewrite the shared test user's profile
  // and stand-ins, and may run at the same time on a shared machine.
  live = await startLive("integrity", { user: "nostromo-integrity" });
  home = execFileSync("getent", ["passwd", live.sshd.user]).toString().split(":")[5] ?? "";
  const uid = Number(execFileSync("id", ["-u", live.sshd.user]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", live.sshd.user]).toString().trim());
  standinLog = `${home}/standin.log`;
  mkdirSync(`${home}/standin`, { recursive: true });
  for (const name of STANDINS) {
    const f = `${home}/standin/${name}`;
    writeFileSync(f, `#!/bin/sh\necho "${name} $*" >> "${standinLog}"\necho "stand-in ${name} ran"\n`);
    chmodSync(f, 0o755);
  }
  chownSync(`${home}/standin`, uid, gid);
  rmSync(standinLog, { force: true });
  for (const p of [".bash_profile", ".bashrc"]) {
    const f = `${home}/${p}`;
    savedProfiles.set(f, existsSync(f) ? readFileSync(f, "utf8") : null);
    writeFileSync(f, `export PATH="$HOME/standin:/usr/bin:/bin"\n`);
    chownSync(f, uid, gid);
  }
  webhook = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => {
      body += d.toString();
    });
    req.on("end", () => {
      webhookBodies.push(body);
      res.end("ok");
    });
  });
  await new Promise<void>((r) => webhook.listen(0, "127.0.0.1", r));
  const s = await live.admin.call("PATCH", "/api/settings", {
    settings: { webhook_url: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook` },
  });
  expect(s.status, JSON.stringify(s.body)).toBe(200);
  const p = await live.admin.call("POST", "/api/policies", {
    name: "Integrity",
    notify_on_violation: true,
    blocked_commands: [
      {
        name: "Recursive delete of root",
        pattern_type: "regex",
        pattern: "^rm\\s+-rf\\s+/$",
        severity: "critical",
      },
      { name: "Shutdown", pattern_type: "regex", pattern: "^(shutdown|reboot)\\b", severity: "high" },
      { name: "Forbidden word", pattern_type: "contains", pattern: "forbidden", severity: "high" },
    ],
  });
  expect(p.status, JSON.stringify(p.body)).toBe(201);
}, 240_000);

afterAll(async () => {
  for (const v of viewers) v.close();
  for (const [f, content] of savedProfiles) {
    if (content === null) rmSync(f, { force: true });
    else writeFileSync(f, content);
  }
  rmSync(`${home}/standin`, { recursive: true, force: true });
  rmSync(standinLog, { force: true });
  webhook?.close();
  await live?.close();
});

describe("every line-accepting input is judged", () => {
  it("LF (Ctrl-J) and CRLF accept a line: blocked, and the next line is not misattributed", async () => {
    const { id, v } = await fresh();
    v.type("rm -rf /\n");
    await notices(v, "COMMAND_BLOCKED", 1);
    await settle(v, 200);
    v.type("echo innocent-$((20+1))\r");
    await v.until("innocent ran", () => v.text().includes("innocent-21"));
    v.type("shutdown -h now\r\n");
    await notices(v, "COMMAND_BLOCKED", 2);
    await settle(v);
    v.type("echo after-$((40+2))\n");
    await v.until("after ran", () => v.text().includes("after-42"));
    await settle(v);
    expect(ranStandins()).toBe("");
    await new Promise((r) => setTimeout(r, 1000));
    const rows = await commands(id);
    const blocked = rows.filter((r) => r.was_blocked).map((r) => r.command);
    expect(blocked.sort()).toEqual(["rm -rf /", "shutdown -h now"]);
    const ran = rows.filter((r) => !r.was_blocked).map((r) => r.command);
    expect(ran).toContain("echo innocent-$((20+1))");
    expect(ran).toContain("echo after-$((40+2))");
    expect(JSON.stringify(rows)).not.toContain("[hidden input]");
  });

  it("a multi-line paste in one frame: lines judged in order, nothing after a blocked line runs", async () => {
    const { id, v } = await fresh();
    v.type("echo one-$((0+1))\nrm -rf /\necho three-$((1+2))\n");
    await notices(v, "COMMAND_BLOCKED", 1);
    await notices(v, "INPUT_DROPPED", 1);
    await settle(v);
    expect(v.text()).toContain("one-1");
    expect(v.text()).not.toContain("three-3");
    expect(ranStandins()).toBe("");
    // The shell is usable afterwards and the next line is judged on its own.
    v.type("echo next-$((3+4))\r");
    await v.until("next ran", () => v.text().includes("next-7"));
    await new Promise((r) => setTimeout(r, 1000));
    const rows = await commands(id);
    expect(rows.map((r) => r.command).sort()).toEqual([
      "echo next-$((3+4))",
      "echo one-$((0+1))",
      "rm -rf /",
    ]);
  });

  it("the same paste split across frames, CRLF line endings", async () => {
    const { id, v } = await fresh();
    v.type("echo uno-$((0+1))\r\nrm -r");
    v.type("f /\r\necho tres-$((1+2))\r\n");
    await notices(v, "COMMAND_BLOCKED", 1);
    await settle(v);
    expect(v.text()).toContain("uno-1");
    expect(v.text()).not.toContain("tres-3");
    expect(ranStandins()).toBe("");
    await new Promise((r) => setTimeout(r, 1000));
    const rows = await commands(id);
    expect(rows.map((r) => r.command).sort()).toEqual(["echo uno-$((0+1))", "rm -rf /"]);
  });

  it("a bracketed paste is judged as the whole text the shell will run", async () => {
    const { v } = await fresh();
    v.type("\x1b[200~echo eins-$((0+1))\nrm -rf /\necho drei-$((1+2))\x1b[201~");
    await settle(v, 200);
    v.type("\r");
    await notices(v, "COMMAND_BLOCKED", 1);
    await settle(v);
    expect(v.text()).not.toContain("eins-1");
    expect(ranStandins()).toBe("");
  });

  it("paste markers are ignored where the program has not asked for bracketed paste (sh)", async () => {
    const { v } = await fresh();
    v.type("sh\r");
    await settle(v);
    // dash shows the markers as text; the CR inside them runs `<markers>; rm -rf /` unless it is judged.
    v.type("\x1b[200~;rm -rf /\r\x1b[201~");
    await notices(v, "COMMAND_BLOCKED", 1);
    await settle(v);
    v.type("exit\r");
    await settle(v);
    expect(ranStandins()).toBe("");
  });

  it("reverse search (Ctrl-R) then Enter: the line found in history is judged", async () => {
    const { v } = await fresh();
    v.type(" history -s 'rm -rf /'\r");
    await settle(v);
    v.type("\x12rm -r");
    await settle(v, 300);
    v.type("\r");
    await notices(v, "COMMAND_BLOCKED", 1);
    await settle(v);
    // A failed search still shows (and Enter still runs) the last line found.
    v.type(" history -s 'shutdown -h now'\r");
    await settle(v);
    v.type("\x12shutdown -hzz");
    await settle(v, 300);
    v.type("\r");
    await notices(v, "COMMAND_BLOCKED", 2);
    await settle(v);
    expect(ranStandins()).toBe("");
  });

  it("operate-and-get-next (Ctrl-O) and insert-comment with an argument (M-1 M-#) accept lines", async () => {
    const { v } = await fresh();
    v.type("rm -rf /\x0f");
    await notices(v, "COMMAND_BLOCKED", 1);
    await settle(v);
    v.type("#reboot");
    await settle(v, 200);
    v.type("\x1b1\x1b#");
    await notices(v, "COMMAND_BLOCKED", 2);
    await settle(v);
    expect(ranStandins()).toBe("");
  });
});

describe("adversarial readline and bash", () => {
  it("a printable key bound to a macro, a background job writing on the input line, typing blind", async () => {
    const { v } = await fresh();
    // The screen shows the macro's text, not the key typed.
    v.type(`bind '"Q": "rm -rf /"'\r`);
    await settle(v);
    v.type("Q");
    await settle(v, 300);
    v.type("\r");
    await notices(v, "COMMAND_BLOCKED", 1);
    await settle(v);
    // Output of a job lands before the typed text: the typed text is judged too.
    v.type("(sleep 0.3; printf 'job-output ') &\r");
    await settle(v, 800);
    v.type("rm -rf /\r");
    await notices(v, "COMMAND_BLOCKED", 2);
    await settle(v);
    v.type("\x03");
    await settle(v);
    // With echo off at the prompt, the typed text is judged (and shown nowhere).
    v.type("stty -echo\r");
    await settle(v);
    v.type("rm -rf /\r");
    await notices(v, "COMMAND_BLOCKED", 3);
    await settle(v);
    v.type("stty echo\r");
    await settle(v);
    // With the paste markers unbound, a newline inside a "bracketed" paste would run its line.
    v.type(`bind -r '\\e[200~'\r`);
    await settle(v);
    v.type("\x1b[200~echo pasted-$((2+2))\nrm -rf /\necho after\n\x1b[201~");
    await notices(v, "COMMAND_BLOCKED", 4);
    await settle(v);
    expect(v.text()).not.toContain("after\r\n");
    expect(ranStandins()).toBe("");
  });
});

describe("a secret typed with echo off", () => {
  it("is never stored, audited, alerted, sent to a webhook or shown, even when it matches a rule", async () => {
    const { id, v } = await fresh();
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, typed as is
    v.type("read -s -p 'Password: ' pw; echo; echo got-${#pw}\r");
    await settle(v, 300);
    v.type(`${SECRET}\r`);
    await notices(v, "COMMAND_BLOCKED", 1);
    await settle(v, 300);
    v.type("other-pass\r");
    await v.until("read done", () => v.text().includes("got-10"));
    await settle(v);
    await new Promise((r) => setTimeout(r, 2000));
    const rows = await commands(id);
    expect(rows.some((r) => r.was_blocked && r.command === "[hidden input]")).toBe(true);
    const needle = SECRET.slice(0, 12);
    expect(JSON.stringify(rows)).not.toContain(needle);
    const audit = await live.admin.call("GET", "/api/audit?page_size=200");
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).toContain("policy.violation");
    expect(JSON.stringify(audit.body)).not.toContain(needle);
    expect(JSON.stringify(v.frames)).not.toContain(needle);
    expect(webhookBodies.length).toBeGreaterThan(0);
    expect(webhookBodies.join("\n")).not.toContain(needle);
    expect(live.agent.logs.join("\n")).not.toContain(needle);
    // Every text of every table of the database.
    const client = new pg.Client({ connectionString: live.e2e.stack.databaseUrl });
    await client.connect();
    try {
      const tables = await client.query<{ s: string; t: string }>(
        "select table_schema s, table_name t from information_schema.tables where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')",
      );
      for (const { s, t } of tables.rows) {
        const hit = await client.query(`select count(*)::int n from "${s}"."${t}" x where x::text like $1`, [
          `%${needle}%`,
        ]);
        expect(hit.rows[0].n, `${s}.${t}`).toBe(0);
      }
    } finally {
      await client.end();
    }
  });
});

describe("no added delay for programs", () => {
  async function enterLatency(v: Viewer, line: string, expect: RegExp): Promise<number> {
    const mark = v.chunks.length;
    v.type(line);
    await settle(v, 150);
    const t0 = performance.now();
    v.type("\r");
    await v
      .until(`${line} answered`, () => expect.test(Buffer.concat(v.chunks.slice(mark)).toString()))
      .catch((err) => {
        throw new Error(`${err}; frames: ${JSON.stringify(v.frames.filter((f) => f.t !== "presence"))}`);
      });
    return performance.now() - t0;
  }

  it("an Enter inside python3 and a nested bash is forwarded without waiting; blocking still holds there", async () => {
    const { v } = await fresh();
    v.type("python3 -q\r");
    await v.until("python prompt", () => v.text().includes(">>> "));
    await settle(v);
    const py: number[] = [];
    for (let i = 0; i < 5; i++) py.push(await enterLatency(v, `print(${i}+7000)`, new RegExp(`700${i}`)));
    v.type("exit()\r");
    await settle(v);
    v.type("bash --norc --noprofile\r");
    await settle(v);
    const sh: number[] = [];
    for (let i = 0; i < 5; i++)
      sh.push(await enterLatency(v, `echo nested-$((${i}+500))`, new RegExp(`nested-${i + 500}`)));
    // Blocking inside the nested shell (no integration there): a plain line, and one split by a continuation.
    v.type("rm -rf /\r");
    await notices(v, "COMMAND_BLOCKED", 1);
    await settle(v);
    v.type("rm -rf \\\r");
    await settle(v, 300);
    v.type("/\r");
    await notices(v, "COMMAND_BLOCKED", 2);
    await settle(v);
    v.type("exit\r");
    await settle(v);
    expect(ranStandins()).toBe("");
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    // "Without waiting" = the Enter was not held for the echo clock (ECHO_MAX_WAIT_MS, 1.5 s) or a verdict:
    // the bound is that hold, not a speed goal (speed is bench/session.ts's, measured on an idle machine;
    // here the e2e queue shares two cores with the rest of the suite).
    expect(median(py), `python3 Enter latencies ${py.map(Math.round)}`).toBeLessThan(1_500);
    expect(median(sh), `nested bash Enter latencies ${sh.map(Math.round)}`).toBeLessThan(1_500);
  });
});

describe("typed input is bounded", () => {
  it("a 20 MB frame is refused with a clear error and the session goes on", async () => {
    const { v } = await fresh();
    v.ws.send(Buffer.alloc(20 * 1024 * 1024, 0x61));
    await v.until("error frame", () => v.frames.some((f) => f.t === "error" && f.code === "INPUT_TOO_LARGE"));
    await settle(v);
    v.type("echo still-alive-$((6*7))\r");
    await v.until("still alive", () => v.text().includes("still-alive-42"));
    expect(v.closed).toBeNull();
  });
});
