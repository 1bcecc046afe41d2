// Marks that cannot be forged and the execution-time guard, end to end through a real OpenSSH sshd, the
// real agent and the Worker in workerd (docs/execution-guard.md). Each case is an attack: shell-integration
// marks forged by a hostile PS1 or by a file being printed, a command produced by a readline macro,
// `bind -x` or `fc` that the screen-read never judged, and the integration being switched off. Blocked
// commands are `touch` of marker files, so "it never ran" is checked on the target's file system.
import { existsSync, rmSync, writeFileSync } from "node:fs";
import type { Viewer } from "@nostromo/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Http } from "./harness.ts";
import { type LiveEnv, openViewer, sessionCommands, settle, startLive } from "./live.ts";

let live: LiveEnv;
const viewers: Viewer[] = [];
const tag = `${process.pid}`;
const marker = (name: string) => `/tmp/nostromo-guard-${name}-${tag}`;
const forgedFile = `/tmp/nostromo-guard-marks-${tag}.txt`;

type Cmd = {
  command: string;
  output: string | null;
  status: string;
  exit_code: number | null;
  was_blocked: boolean;
  blocked_reason: string | null;
};
type Audit = { event_type: string; action: string; description: string; session_id: string | null };

const commands = (id: string) => sessionCommands<Cmd>(live.admin, id);

async function alerts(id: string): Promise<Audit[]> {
  const r = await live.admin.call<{ data: Audit[] }>("GET", "/api/audit?type=security.alert&page_size=200");
  expect(r.status).toBe(200);
  return r.body.data.filter((a) => a.session_id === id);
}

let approver: Http | null = null;

/** A second administrator, who may approve held commands. */
async function approverClient(): Promise<Http> {
  if (approver) return approver;
  const roles = await live.admin.call<{ data: { id: string; name: string }[] }>("GET", "/api/roles");
  const email = "guard-approver@demo-e2e.example";
  const r = await live.admin.call("POST", "/api/users", {
    email,
    name: "Gus Approver",
    password: "guard-approver-password-1",
    role_id: roles.body.data.find((x) => x.name === "Admin")?.id,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  approver = new Http(live.e2e.stack.url, live.e2e.stack.demoTenantId);
  await approver.login(email, "guard-approver-password-1");
  return approver;
}

async function session(): Promise<{ id: string; v: Viewer }> {
  const { id } = await live.start();
  const v = await openViewer(live.admin, id, viewers);
  await settle(v);
  return { id, v };
}

const blockedNotices = (v: Viewer) =>
  v.frames.filter((f) => f.t === "notice" && f.code === "COMMAND_BLOCKED");

beforeAll(async () => {
  live = await startLive("guard");
  const p = await live.admin.call("POST", "/api/policies", {
    name: "Guard markers",
    blocked_commands: [
      {
        name: "Guard marker",
        pattern_type: "regex",
        pattern: "^touch\\s+/tmp/nostromo-guard",
        severity: "high",
      },
    ],
  });
  expect(p.status, JSON.stringify(p.body)).toBe(201);
  // Output that imitates the integration: a command end with status 0, then a prompt.
  writeFileSync(forgedFile, "before\u001b]133;D;0\u0007\u001b]133;A\u0007\u001b]133;B\u0007after\n");
}, 240_000);

afterAll(async () => {
  for (const v of viewers) v.close();
  rmSync(forgedFile, { force: true });
  for (const n of ["ps1", "macro", "bindx", "bindx2", "fc", "tamper", "ahead", "ahead2", "forlist"])
    rmSync(marker(n), { force: true });
  await live?.close();
});

describe("marks that cannot be forged", () => {
  it("a PS1 carrying a prompt-end mark does not move where the command is read from", async () => {
    const { id, v } = await session();
    // The forged mark sits before visible text "echo ": an unauthenticated reader would take the
    // typed `touch …` for `echo touch …`, allow it, and record the echo while touch ran.
    v.type("PS1='\\[\\e]133;B\\a\\]echo '\r");
    await settle(v);
    v.type(`touch ${marker("ps1")}\r`);
    await v.until("blocked", () => blockedNotices(v).length === 1);
    await settle(v);
    expect(existsSync(marker("ps1"))).toBe(false);
    await new Promise((r) => setTimeout(r, 1000));
    const rows = await commands(id);
    expect(rows.some((r) => r.command.includes("echo touch"))).toBe(false);
    expect(rows.find((r) => r.was_blocked)?.command).toBe(`touch ${marker("ps1")}`);
    expect(v.text()).not.toContain("\u001b]133;");
  });

  it("marks printed by a program are stripped, ignored and reported", async () => {
    const { id, v } = await session();
    v.type(`cat ${forgedFile}; false\r`);
    await v.until("after", () => v.text().includes("after"));
    await settle(v);
    v.type("echo status-$?\r");
    await v.until("status", () => v.text().includes("status-1"));
    await settle(v);
    await new Promise((r) => setTimeout(r, 1000));
    const row = (await commands(id)).find((r) => r.command.startsWith("cat "));
    // The forged "133;D;0" would have ended the command with status 0; the shell's status is 1.
    expect(row?.exit_code).toBe(1);
    expect(v.text()).not.toContain("\u001b]133;");
    const a = await alerts(id);
    expect(a.some((x) => x.description.includes("imitated a shell-integration mark"))).toBe(true);
  });
});

describe("the guard and the command tracker together", () => {
  it("type-ahead behind an approved Enter or Ctrl-O reaches readline as typed, from the first line on", async () => {
    const { id, v } = await session();
    // The session's first line: the trap's `read` of its verdict must not take the line typed behind it.
    v.type("echo a-$((1+1))\recho b-$((2+2))\r");
    await v.until("both ran", () => v.text().includes("a-2") && v.text().includes("b-4"));
    await settle(v);
    v.type("echo c-$((3+3))\x0fecho d-$((4+4))\r");
    await v.until("both ran", () => v.text().includes("c-6") && v.text().includes("d-8"));
    // Back at the prompt first: lines typed while a command still runs are the next case.
    await settle(v);
    // Blocked behind an approved line: never runs, recorded as typed; the rest is dropped.
    v.type(`echo e-$((5+5))\rtouch ${marker("ahead")}\recho f-$((6+6))\r`);
    await v.until("blocked", () => blockedNotices(v).length === 1);
    await settle(v);
    expect(v.text()).toContain("e-10");
    expect(v.text()).not.toContain("f-12");
    expect(existsSync(marker("ahead"))).toBe(false);
    await new Promise((r) => setTimeout(r, 1000));
    const rows = await commands(id);
    expect(rows.map((r) => r.command).sort()).toEqual([
      "echo a-$((1+1))",
      "echo b-$((2+2))",
      "echo c-$((3+3))",
      "echo d-$((4+4))",
      "echo e-$((5+5))",
      `touch ${marker("ahead")}`,
    ]);
    expect(rows.find((r) => r.was_blocked)?.command).toBe(`touch ${marker("ahead")}`);
  });

  it("a line typed while a command runs is recorded like any other when the shell runs it", async () => {
    const { id, v } = await session();
    // The command does not read its input: the line waits in the terminal and the shell runs it at its
    // next prompt. The tracker took it for the running program's input; the guard sees the shell run it.
    v.type("echo g-$((7+7)); sleep 1\r");
    await v.until("g printed", () => v.text().includes("g-14"));
    v.type("echo h-$((8+8))\r");
    await v.until("h ran", () => v.text().includes("h-16"));
    await settle(v);
    // Two lines typed while a command runs: readline takes the first at the next prompt, and the trap's
    // read of its verdict took the second (it never ran) until the room gave it back behind the verdict.
    v.type("echo k-$((11+11)); sleep 1\r");
    await v.until("k printed", () => v.text().includes("k-22"));
    v.type("echo m-$((12+12))\r");
    v.type("echo n-$((13+13))\r");
    await v.until("m and n ran", () => v.text().includes("m-24") && v.text().includes("n-26"));
    await settle(v);
    v.type("echo j-$((10+10)); sleep 1\r");
    await v.until("j printed", () => v.text().includes("j-20"));
    v.type(`touch ${marker("ahead2")}\r`);
    await v.until("blocked", () => blockedNotices(v).length === 1);
    await settle(v, 1500);
    expect(existsSync(marker("ahead2"))).toBe(false);
    await new Promise((r) => setTimeout(r, 1000));
    const rows = await commands(id);
    const row = (c: string) => rows.find((r) => r.command === c);
    expect(row("echo h-$((8+8))")).toMatchObject({ exit_code: 0, was_blocked: false });
    expect(row("echo h-$((8+8))")?.output).toContain("h-16");
    expect(row("echo n-$((13+13))")).toMatchObject({ exit_code: 0, was_blocked: false });
    expect(
      rows.filter((r) => r.command.startsWith("echo m-") || r.command.startsWith("echo n-")),
    ).toHaveLength(2);
    expect(row(`touch ${marker("ahead2")}`)).toMatchObject({ was_blocked: true });
    expect(rows.map((r) => r.command)).not.toContain("[hidden input]");
  });
});

describe("a command substitution that runs before the line's first command", () => {
  // bash expands a `for` list before its DEBUG trap fires for the `for`: the first command the line runs
  // is the one inside `$(…)`, in a subshell whose output is the substitution's pipe.
  it("an allowed for loop over $(…) runs, with its row, and the line typed behind it is not lost", async () => {
    const { id, v } = await session();
    v.type("for i in $(seq 1 40); do echo n-$i; done\recho after-$((2+3))\r");
    await v.until("both ran", () => v.text().includes("n-40") && v.text().includes("after-5"));
    await settle(v);
    expect(v.text()).not.toContain("no verdict");
    expect(v.text()).not.toMatch(/#\d{8,}[ysn]/); // a verdict the terminal echoed is removed
    await new Promise((r) => setTimeout(r, 1000));
    const rows = await commands(id);
    const loop = rows.find((r) => r.command === "for i in $(seq 1 40); do echo n-$i; done");
    expect(loop).toMatchObject({ exit_code: 0, was_blocked: false });
    expect(loop?.output).toContain("n-40");
    expect(rows.map((r) => r.command)).toContain("echo after-$((2+3))");
  });

  it("a process substitution feeding a loop reports alongside the shell: both get their verdict", async () => {
    const { id, v } = await session();
    for (let k = 1; k <= 3; k++) {
      v.type(`while read l; do echo got-$l; done < <(printf 'p-%s\\n' $((${k}*3)))\r`);
      await v.until(`loop ${k}`, () => v.text().includes(`got-p-${k * 3}`));
      await settle(v);
    }
    expect(v.text()).not.toContain("no verdict");
    expect(v.text()).not.toMatch(/#\d{8,}[ysn]/);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await commands(id)).filter((r) => r.command.startsWith("while read l"))).toHaveLength(3);
  });

  it("a blocked command inside $(…) in a for list never runs, and is recorded once", async () => {
    const { id, v } = await session();
    const line = `for i in $(touch ${marker("forlist")}); do :; done`;
    // A readline macro: the screen-read never sees the line, only the guard does.
    v.type(`bind '"\\ex": "${line}\\C-m"'\r`);
    await settle(v);
    v.type("\u001bx");
    await v.until("refused", () => v.text().includes("refused by policy"));
    await settle(v, 1000);
    expect(existsSync(marker("forlist"))).toBe(false);
    await new Promise((r) => setTimeout(r, 1000));
    const blocked = (await commands(id)).filter((r) => r.was_blocked).map((r) => r.command);
    expect(blocked).toEqual([line]);
  });
});

describe("a command continued over lines", () => {
  it("an open quote closed on the next line: one row with the whole command, its output and exit code", async () => {
    const { id, v } = await session();
    v.type("echo 'one-$((1+1))\r");
    await v.until("the continuation prompt", () => v.text().endsWith("> "));
    v.type("two'\r");
    await v.until("it ran", () => /one-\$\(\(1\+1\)\)\r?\ntwo\r?\n/.test(v.text()));
    await settle(v);
    await new Promise((r) => setTimeout(r, 1000));
    const rows = await commands(id);
    expect(rows.map((r) => r.command)).toEqual(["echo 'one-$((1+1))\ntwo'"]);
    expect(rows[0]).toMatchObject({ exit_code: 0, was_blocked: false });
    expect(rows[0]?.output).toMatch(/one-\$\(\(1\+1\)\)\ntwo/);
  });
});

describe("commands the screen-read never saw are judged as the shell is about to run them", () => {
  let id = "";
  let v: Viewer;

  beforeAll(async () => {
    ({ id, v } = await session());
  });

  async function refused(name: string, n: number): Promise<void> {
    await v.until(
      `refusal ${n}`,
      () => blockedNotices(v).length >= n && v.text().includes("refused by policy"),
    );
    await settle(v);
    expect(existsSync(marker(name))).toBe(false);
  }

  it("a readline macro that types a line and accepts it", async () => {
    v.type(`bind '"\\ew": "touch ${marker("macro")}\\C-m"'\r`);
    await settle(v);
    v.type("\u001bw");
    await refused("macro", 1);
  });

  it("a bind -x key binding", async () => {
    v.type(`bind -x '"\\C-t": touch ${marker("bindx")}'\r`);
    await settle(v);
    v.type("\u0014");
    await refused("bindx", 2);
  });

  it("fc re-running history with a substitution, even once an approver let the fc line through", async () => {
    v.type(`echo touch ${marker("fc")}\r`);
    await settle(v);
    // The engine cannot see what `fc -s` will run and asks for approval; approved, the shell then reports
    // the command fc produced, and that one is refused.
    const approver = await approverClient();
    const w = await openViewer(approver, id, viewers);
    v.type("fc -s echo=\r");
    await w.until("approval request", () => w.frames.some((f) => f.t === "approval"));
    const req = w.frames.find((f) => f.t === "approval") as unknown as { commandId: string };
    w.send({ t: "approve", commandId: req.commandId, approve: true });
    await refused("fc", 3);
  });

  it("each refusal is a blocked row with what the shell was about to run, and an alert", async () => {
    // Still guarded and still recording: an approved line runs and its exit status is kept.
    v.type("sh -c 'exit 3'\r");
    await settle(v);
    await new Promise((r) => setTimeout(r, 1000));
    const rows = await commands(id);
    const blocked = rows.filter((r) => r.was_blocked).map((r) => r.command);
    expect(blocked).toEqual(
      expect.arrayContaining([
        `touch ${marker("macro")}`,
        `touch ${marker("bindx")}`,
        `touch ${marker("fc")}`,
      ]),
    );
    expect(rows.find((r) => r.command === "sh -c 'exit 3'")?.exit_code).toBe(3);
    expect(
      (await alerts(id)).some((a) => a.description.includes("Refused as the shell was about to run it")),
    ).toBe(true);
  });
});

describe("tampering with the integration", () => {
  it("a line that removes the DEBUG trap is refused; the session stays guarded", async () => {
    const { id, v } = await session();
    v.type("trap - DEBUG\r");
    await v.until("refused", () => blockedNotices(v).length === 1);
    await settle(v);
    v.type(`touch ${marker("tamper")}\r`);
    await v.until("blocked", () => blockedNotices(v).length === 2);
    await settle(v);
    expect(existsSync(marker("tamper"))).toBe(false);
    expect((await alerts(id)).some((a) => a.description.includes("changes the DEBUG trap"))).toBe(true);
  });

  it("a trap removed by a route the line check cannot see is back at the next prompt", async () => {
    const { v } = await session();
    v.type(`bind -x '"\\C-t": touch ${marker("bindx2")}'\r`);
    await settle(v);
    v.type('f() { trap - "$1"; }\r');
    await settle(v);
    v.type("f DEBUG\r");
    await settle(v);
    v.type("\u0014");
    await v.until("refused", () => v.text().includes("refused by policy"));
    await settle(v);
    expect(existsSync(marker("bindx2"))).toBe(false);
    expect(v.frames.some((f) => f.t === "status" && f.status === "ended")).toBe(false);
  });

  it("prompt hooks emptied by a route the line check cannot see: the next line ends the session", async () => {
    const { id, v } = await session();
    // A nameref and a name the text check cannot read as PROMPT_COMMAND.
    v.type("f() { local -n r=$1; r=(); }\r");
    await settle(v);
    v.type("f PROMPT_COMM''AND\r");
    await settle(v);
    v.type("echo after-$((6*7))\r");
    await v.until("ended", () => v.frames.some((f) => f.t === "status" && f.status === "ended"));
    const s = await live.admin.call<{ status: string; status_reason: string | null }>(
      "GET",
      `/api/remote-sessions/${id}`,
    );
    expect(s.body.status).toBe("ended");
    expect((await alerts(id)).some((a) => a.description.includes("the prompt hooks were removed"))).toBe(
      true,
    );
  });
});
