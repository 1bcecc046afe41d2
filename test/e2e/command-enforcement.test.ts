// Command capture and enforcement inside live sessions, end to end through a real OpenSSH sshd, the real
// agent and the Worker in workerd. The destructive programs of the corpus are replaced on the target by
// harmless stand-ins (scripts first on the test user's PATH that only log that they ran), so "it never
// ran" is checked on the target itself, and nothing can harm the machine if enforcement ever failed. The
// fork bomb is never typed live (a stand-in cannot replace a shell function): the policy API test covers it.

import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Viewer } from "@nostromo/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import corpus from "../fixtures/command-policy.json" with { type: "json" };
import { DEMO_ADMIN, Http, waitFor } from "./harness.ts";
import { type LiveEnv, openViewer, sessionCommands, settle, startLive, userWithRole } from "./live.ts";

const STANDINS = ["rm", "dd", "mkfs.ext4", "mkfs.xfs", "shutdown", "iptables"];
let live: LiveEnv;
let home = "";
let standinLog = "";
const viewers: Viewer[] = [];
const savedProfiles = new Map<string, string | null>();

type Cmd = {
  command: string;
  status: string;
  exit_code: number | null;
  output: string | null;
  was_blocked: boolean;
  user_id: string;
};

function ranStandins(): string {
  return existsSync(standinLog) ? readFileSync(standinLog, "utf8") : "";
}

const commands = (sessionId: string) => sessionCommands<Cmd>(live.admin, sessionId);

async function notices(v: Viewer, code: string, n: number): Promise<void> {
  await v.until(
    `${n} ${code} notices`,
    () => v.frames.filter((f) => f.t === "notice" && f.code === code).length >= n,
    20_000,
  );
}

beforeAll(async () => {
  live = await startLive("enforce");
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
  rmSync(standinLog, { force: true });
  for (const p of [".bash_profile", ".bashrc"]) {
    const f = `${home}/${p}`;
    savedProfiles.set(f, existsSync(f) ? readFileSync(f, "utf8") : null);
    writeFileSync(
      f,
      `export PATH="$HOME/standin:$PATH"\n${p === ".bash_profile" && existsSync(`${home}/.bashrc`) ? "" : ""}`,
    );
    chownSync(f, uid, gid);
  }
  chownSync(`${home}/standin`, uid, gid);

  const rules = corpus.rules.map((r) => ({
    name: r.name,
    pattern_type: r.pattern_type,
    // The seed's fork-bomb regex does not compile (an unclosed group); the escaped form is what it means.
    pattern: r.name === "Fork Bomb" ? ":\\(\\)\\{\\s*:\\|:\\&\\s*\\};:" : r.pattern,
    severity: r.severity,
  }));
  const p1 = await live.admin.call("POST", "/api/policies", {
    name: "Corpus",
    blocked_commands: rules,
    notify_on_violation: true,
  });
  expect(p1.status, JSON.stringify(p1.body)).toBe(201);
  const p2 = await live.admin.call("POST", "/api/policies", {
    name: "Needs approval",
    require_approval: true,
    blocked_commands: [
      {
        name: "Marker needs approval",
        pattern_type: "regex",
        pattern: "^touch\\s+/tmp/nostromo-approve",
        severity: "medium",
      },
    ],
  });
  expect(p2.status, JSON.stringify(p2.body)).toBe(201);
  const p3 = await live.admin.call("POST", "/api/policies", {
    name: "Disconnect",
    auto_disconnect_on_violation: true,
    blocked_commands: [
      {
        name: "Marker disconnects",
        pattern_type: "regex",
        pattern: "^touch\\s+/tmp/nostromo-disconnect",
        severity: "high",
      },
    ],
  });
  expect(p3.status, JSON.stringify(p3.body)).toBe(201);
}, 240_000);

afterAll(async () => {
  for (const v of viewers) v.close();
  for (const [f, content] of savedProfiles) {
    if (content === null) rmSync(f, { force: true });
    else writeFileSync(f, content);
  }
  rmSync(`${home}/standin`, { recursive: true, force: true });
  rmSync(standinLog, { force: true });
  await live?.close();
});

const mustBlock = corpus.must_block.filter((l) => !l.includes(":(){"));

describe("every must_block line is blocked and never runs on the target", () => {
  let id = "";
  let v: Viewer;

  beforeAll(async () => {
    id = (await live.start()).id;
    v = await openViewer(live.admin, id, viewers);
    await settle(v);
  });

  it("typed key by key", async () => {
    for (const [i, line] of mustBlock.entries()) {
      for (const ch of line) v.type(ch);
      v.type("\r");
      await notices(v, "COMMAND_BLOCKED", i + 1);
    }
    await settle(v);
    expect(ranStandins()).toBe("");
  });

  it("pasted, with and without bracketed paste", async () => {
    const before = v.frames.filter((f) => f.code === "COMMAND_BLOCKED").length;
    v.type(`${mustBlock[0]}\r`);
    await notices(v, "COMMAND_BLOCKED", before + 1);
    v.type(`\x1b[200~${mustBlock[5]}\x1b[201~`);
    await settle(v, 200);
    v.type("\r");
    await notices(v, "COMMAND_BLOCKED", before + 2);
    // A multi-line paste: each line is its own Enter, checked as the shell reads it; nothing typed after
    // a blocked line is sent (the typist is told).
    v.type("echo first-$((1+1))\rsudo iptables -F INPUT\recho third-$((1+2))\r");
    await notices(v, "COMMAND_BLOCKED", before + 3);
    await notices(v, "INPUT_DROPPED", 1);
    expect(v.text()).toContain("first-2");
    await settle(v);
    expect(v.text()).not.toContain("third-3");
    expect(ranStandins()).toBe("");
  });

  it("completed with Tab and recalled from history", async () => {
    const before = v.frames.filter((f) => f.code === "COMMAND_BLOCKED").length;
    v.type("shutdo");
    await settle(v, 150);
    v.type("\t");
    await settle(v, 300);
    v.type(" -h now\r");
    await notices(v, "COMMAND_BLOCKED", before + 1);
    v.type("history -s 'rm -rf /'\r");
    await settle(v);
    v.type("\x1b[A");
    await settle(v, 300);
    v.type("\r");
    await notices(v, "COMMAND_BLOCKED", before + 2);
    await settle(v);
    expect(ranStandins()).toBe("");
    const rows = await commands(id);
    const blocked = rows.filter((r) => r.was_blocked).map((r) => r.command.replace(/\s+/g, " "));
    expect(blocked).toContain("shutdown -h now");
    expect(blocked).toContain("rm -rf /");
    expect(rows.every((r) => r.was_blocked === (r.status === "blocked"))).toBe(true);
  });

  // Known gap: a line ended by a continuation backslash ("rm -rf \\" Enter, then "/" Enter) stalls — the
  // withheld Enter of the unfinished line does not reach the shell (docs/command-tracker.md). The engine
  // itself joins and blocks the completed line (workers/policy tests).
  it("split by a line continuation", async () => {
    const c = await live.start();
    const w = await openViewer(live.admin, c.id, viewers);
    await settle(w);
    w.type("rm -rf \\\r");
    await w.until("continuation prompt", () => w.text().includes("> "));
    w.type("/\r");
    await notices(w, "COMMAND_BLOCKED", 1);
    await settle(w);
    expect(ranStandins()).toBe("");
  });

  it("keeps the session statistics exact", async () => {
    await new Promise((r) => setTimeout(r, 1500));
    const rows = await commands(id);
    const s = await live.admin.call<{
      total_commands: number;
      safe_commands: number;
      blocked_commands: number;
    }>("GET", `/api/remote-sessions/${id}`);
    expect(s.body.blocked_commands).toBe(rows.filter((r) => r.was_blocked).length);
    expect(s.body.total_commands).toBe(rows.length);
    expect(s.body.safe_commands).toBe(rows.length - s.body.blocked_commands);
  });
});

describe("every must_allow line runs, with output and the right exit code", () => {
  it("records each with the exit status the shell reported", async () => {
    const { id } = await live.start();
    const v = await openViewer(live.admin, id, viewers);
    await settle(v);
    for (const line of corpus.must_allow) {
      v.type(`${line}\r`);
      await settle(v, 250);
      v.type("echo EXIT-WAS-$?\r");
      await settle(v, 250);
    }
    await new Promise((r) => setTimeout(r, 1500));
    const rows = (await commands(id)).reverse();
    for (const line of corpus.must_allow) {
      const i = rows.findIndex((r) => r.command === line);
      expect(i, line).toBeGreaterThanOrEqual(0);
      const row = rows[i] as Cmd;
      const echo = rows[i + 1] as Cmd;
      expect(row.status).not.toBe("blocked");
      expect(echo.command).toBe("echo EXIT-WAS-$?");
      expect(echo.output?.trim()).toBe(`EXIT-WAS-${row.exit_code}`);
    }
    expect(rows.find((r) => r.command === "ls -la /")?.output).toContain("tmp");
  });
});

describe("programs and prompts that are not commands", () => {
  it("vim and a password prompt produce no command rows and leak no secret", async () => {
    const { id } = await live.start();
    const v = await openViewer(live.admin, id, viewers);
    await settle(v);
    // No swap file (-n), a file of this run: a vim an earlier run left behind (a stack killed mid-test)
    // left a swap file that made this one ask about it instead of opening.
    const vim = `vim -u NONE -N -n /tmp/nostromo-vim-test-${process.pid}.txt`;
    v.type(`${vim}\r`);
    await settle(v, 500);
    v.type("iecho inside-vim\x1b:q!\r");
    await settle(v, 500);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's own ${#pw}, typed as is
    v.type("read -s -p 'Password: ' pw; echo; echo got-${#pw}\r");
    await settle(v, 300);
    v.type("hunter2-secret\r");
    await v.until("read done", () => v.text().includes("got-14"));
    await settle(v);
    await new Promise((r) => setTimeout(r, 1000));
    const rows = await commands(id);
    expect(rows.map((r) => r.command).sort()).toEqual(
      [
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's own ${#pw}, as typed
        "read -s -p 'Password: ' pw; echo; echo got-${#pw}",
        vim,
      ].sort(),
    );
    expect(JSON.stringify(rows)).not.toContain("hunter2");
    expect(JSON.stringify(rows)).not.toContain("inside-vim");
  });
});

describe("approval", () => {
  let approver: Http;

  beforeAll(async () => {
    const roles = await live.admin.call<{ data: { id: string; name: string }[] }>("GET", "/api/roles");
    const adminRole = roles.body.data.find((r) => r.name === "Admin")?.id;
    const email = "approver@demo-e2e.example";
    const r = await live.admin.call("POST", "/api/users", {
      email,
      name: "Ann Approver",
      password: "approver-password-1",
      role_id: adminRole,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    approver = new Http(live.e2e.stack.url, live.e2e.stack.demoTenantId);
    await approver.login(email, "approver-password-1");
  });

  it("granted: the held command runs; denied: it never does", async () => {
    const { id } = await live.start();
    const typist = await openViewer(live.admin, id, viewers);
    const watcher = await openViewer(approver, id, viewers);
    await settle(typist);
    rmSync("/tmp/nostromo-approve-yes", { force: true });
    rmSync("/tmp/nostromo-approve-no", { force: true });
    typist.type("touch /tmp/nostromo-approve-yes\r");
    await watcher.until("approval request", () => watcher.frames.some((f) => f.t === "approval"));
    const req = watcher.frames.find((f) => f.t === "approval") as unknown as {
      commandId: string;
      command: string;
    };
    expect(req.command).toBe("touch /tmp/nostromo-approve-yes");
    // The typist cannot approve its own command.
    const self = await live.admin.call("POST", `/api/remote-sessions/${id}/approvals/${req.commandId}`, {
      approve: true,
    });
    expect(self.status).toBe(403);
    watcher.send({ t: "approve", commandId: req.commandId, approve: true });
    await waitFor("the approved command ran", async () => existsSync("/tmp/nostromo-approve-yes"));
    await settle(typist);
    typist.type("touch /tmp/nostromo-approve-no\r");
    await watcher.until(
      "second request",
      () => watcher.frames.filter((f) => f.t === "approval").length === 2,
    );
    const req2 = watcher.frames.filter((f) => f.t === "approval")[1] as unknown as { commandId: string };
    // Someone who joins while the command waits is shown it too, and told whether they may decide it.
    const late = await openViewer(approver, id, viewers);
    expect(late.frame("hello")).toMatchObject({ you: { canApprove: true } });
    await late.until("the waiting command", () =>
      late.frames.some((f) => f.t === "approval" && JSON.stringify(f).includes(req2.commandId)),
    );
    // Approvers find it from outside the session too; the list is theirs only.
    const waiting = await approver.call<{ data: unknown[] }>("GET", "/api/remote-sessions/approvals");
    expect(waiting.status).toBe(200);
    expect(waiting.body.data).toContainEqual(
      expect.objectContaining({ id, command_id: req2.commandId, command: "touch /tmp/nostromo-approve-no" }),
    );
    const technician = await userWithRole(live, "Technician", {
      email: "tech-approvals@demo-e2e.example",
      name: "Tina Technician",
      password: "technician-password-1",
    });
    expect((await technician.call("GET", "/api/remote-sessions/approvals")).status).toBe(403);
    const denied = await approver.call("POST", `/api/remote-sessions/${id}/approvals/${req2.commandId}`, {
      approve: false,
    });
    expect(denied.status).toBe(200);
    expect(denied.body).toEqual({ command_id: req2.commandId, approved: false });
    await notices(typist, "COMMAND_BLOCKED", 1);
    await settle(typist);
    expect(existsSync("/tmp/nostromo-approve-no")).toBe(false);
    const after = await approver.call<{ data: { command_id: string }[] }>(
      "GET",
      "/api/remote-sessions/approvals",
    );
    expect(after.body.data.map((a) => a.command_id)).not.toContain(req2.commandId);
    rmSync("/tmp/nostromo-approve-yes", { force: true });
  });

  it("timed out: blocked", async () => {
    const s = await live.admin.call("PATCH", "/api/settings", { settings: { approval_timeout_ms: 10_000 } });
    expect(s.status, JSON.stringify(s.body)).toBe(200);
    const { id } = await live.start();
    const typist = await openViewer(live.admin, id, viewers);
    await settle(typist);
    rmSync("/tmp/nostromo-approve-late", { force: true });
    typist.type("touch /tmp/nostromo-approve-late\r");
    await typist.until(
      "timeout",
      () => typist.frames.some((f) => f.t === "approval-result" && f.approved === false),
      20_000,
    );
    await notices(typist, "COMMAND_BLOCKED", 1);
    await settle(typist);
    expect(existsSync("/tmp/nostromo-approve-late")).toBe(false);
  });
});

describe("auto-disconnect", () => {
  it("a violation of a policy with auto_disconnect_on_violation ends the session", async () => {
    const { id } = await live.start();
    const v = await openViewer(live.admin, id, viewers);
    await settle(v);
    v.type("touch /tmp/nostromo-disconnect\r");
    await v.until("ended", () => v.frames.some((f) => f.t === "status" && f.status === "ended"));
    expect(existsSync("/tmp/nostromo-disconnect")).toBe(false);
    const s = await live.admin.call<{ status: string }>("GET", `/api/remote-sessions/${id}`);
    expect(s.body.status).toBe("ended");
    expect((await live.admin.call("GET", "/api/auth/me")).status).toBe(200);
    void DEMO_ADMIN;
  });
});
