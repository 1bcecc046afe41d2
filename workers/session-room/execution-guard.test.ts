import { describe, expect, it } from "vitest";
import type { Decision } from "../policy/index.ts";
import type { Typist } from "./command-tracker.ts";
import {
  AlertLimiter,
  ExecutionGuard,
  type GuardHost,
  type GuardTimers,
  needsEachCommand,
  normaliseLine,
  PROMPT_AFTER_END_MS,
  tamperReason,
  verdictText,
} from "./execution-guard.ts";
import { refusal } from "./verdict.ts";

const dec = new TextDecoder();
const enc = new TextEncoder();
const ann: Typist = { userId: "u-ann", roleId: "r-1", name: "Ann" };
const owner: Typist = { userId: "u-owner", roleId: null, name: "owner" };

function decision(kind: Decision["decision"], reason = "rule"): Decision {
  return { ...refusal(reason), decision: kind };
}

function setup(
  judge: (line: string) => Decision["decision"] = (l) => (l.includes("touch") ? "block" : "allow"),
) {
  const sent: string[] = [];
  const log: string[] = [];
  const connected = { up: true };
  const timers: { fn: () => void; at: number; id: number }[] = [];
  let clock = 0;
  let next = 1;
  const t: GuardTimers = {
    set: (fn, ms) => {
      timers.push({ fn, at: clock + ms, id: next });
      return next++;
    },
    clear: (h) => {
      const i = timers.findIndex((x) => x.id === h);
      if (i >= 0) timers.splice(i, 1);
    },
  };
  const advance = (ms: number) => {
    clock += ms;
    for (const x of timers.filter((y) => y.at <= clock)) {
      timers.splice(timers.indexOf(x), 1);
      x.fn();
    }
  };
  const host: GuardHost = {
    forward: (b) => sent.push(dec.decode(b)),
    released: () => log.push("released"),
    evaluate: async (line, typist) => {
      log.push(`evaluate ${typist.userId} ${line}`);
      return decision(judge(line));
    },
    blocked: async (line, typist, _d, reason) => {
      log.push(`blocked ${typist.userId} ${line} | ${reason}`);
    },
    alert: (action, _description, _typist, metadata) =>
      log.push(`alert ${action} ${metadata.suppressedBefore}`),
    corrected: (id, line) => log.push(`corrected ${id} ${line}`),
    unrecorded: (line, typist, _d, follow) =>
      log.push(`unrecorded ${typist.userId} ${line}${follow ? " (followed)" : ""}`),
    end: async (reason) => {
      log.push(`end ${reason}`);
    },
    connected: () => connected.up,
    expectEcho: (text) => log.push(`echo ${JSON.stringify(text)}`),
  };
  const g = new ExecutionGuard(host, owner, t, () => clock);
  const flush = () => new Promise((r) => setTimeout(r, 0));
  return { g, sent, log, advance, flush, connected };
}

describe("pure parts", () => {
  it("verdicts, normalised lines", () => {
    expect(verdictText("123456789", "y")).toBe("#123456789y\n");
    expect(normaliseLine("  echo \\\n  a   b\t")).toBe("echo a b");
  });

  it("lines that would switch the integration off are tampering", () => {
    for (const l of [
      "trap - DEBUG",
      "trap '' DEBUG",
      "trap -",
      "unset -f __nostromo_ab12_g",
      "PROMPT_COMMAND=",
      "x=1; PS0=''",
      "unset PROMPT_COMMAND",
      "shopt -u extdebug",
      "set +T",
      "enable -n trap",
      "exec bash",
      "exec /usr/bin/zsh -l",
      "preexec_functions=()",
    ])
      expect(tamperReason(l), l).not.toBeNull();
    for (const l of ["echo trap", "ls -la", "PS1='$ '", "exec 3>/tmp/f", "trap 'rm -f $t' EXIT", "echo PS0"])
      expect(tamperReason(l), l).toBeNull();
  });

  it("lines whose commands are not in their text are reported command by command", () => {
    for (const l of ["fc -s", 'eval "$x"', "source f", ". ./f", "x; fc -s a=b"])
      expect(needsEachCommand(l), l).toBe(true);
    for (const l of ["echo fcx", "ls", "cat .bashrc", "./run.sh"]) expect(needsEachCommand(l), l).toBe(false);
  });

  it("alerts are rate-limited and count what was held back", () => {
    let now = 0;
    const a = new AlertLimiter(1000, () => now);
    expect(a.take("x")).toEqual({ send: true, suppressed: 0 });
    expect(a.take("x").send).toBe(false);
    expect(a.take("x").send).toBe(false);
    expect(a.take("y").send).toBe(true);
    now = 1000;
    expect(a.take("x")).toEqual({ send: true, suppressed: 2 });
  });
});

describe("ExecutionGuard", () => {
  it("the first line of a session: the prompt said the guard is on, so type-ahead behind its Enter waits", async () => {
    const { g, sent } = setup();
    g.onEvent({ kind: "prompt-start" });
    g.onEvent({ kind: "prompt-end", guard: true });
    g.approvedLine("echo one", ann, "c1");
    expect(g.input(enc.encode("\n"))).toBe(true);
    // Sent now, these bytes would be in the terminal before the trap's `read` and be read with the verdict.
    expect(g.input(enc.encode("rm -rf /"))).toBe(false);
    g.onEvent({ kind: "command-start" });
    await g.onEvent({ kind: "exec", mode: "line", nonce: "123456789", line: "echo one" });
    expect(sent).toEqual(["\n", "#123456789y\n", "rm -rf /"]);
  });

  it("the accepting key is whatever the tracker sends after approving (Ctrl-O): what follows it waits", async () => {
    const { g, sent } = setup();
    g.onEvent({ kind: "prompt-end", guard: true });
    g.approvedLine("echo one", ann, "c1");
    expect(g.input(enc.encode("\x0f"))).toBe(true);
    expect(g.input(enc.encode("echo two"))).toBe(false);
    g.onEvent({ kind: "command-start" });
    await g.onEvent({ kind: "exec", mode: "line", nonce: "123456789", line: "echo one" });
    expect(sent).toEqual(["\x0f", "#123456789y\n", "echo two"]);
  });

  it("a prompt without `g` (no guard in this shell): nothing is held before a report was seen", () => {
    const { g, sent } = setup();
    g.onEvent({ kind: "prompt-end", guard: false });
    g.approvedLine("echo one", ann, "c1");
    g.input(enc.encode("\r"));
    expect(g.input(enc.encode("ls"))).toBe(true);
    expect(sent).toEqual(["\r", "ls"]);
  });

  it("an approved line gets its verdict at once; input typed behind its Enter waits for it", async () => {
    const { g, sent, log } = setup();
    g.onEvent({ kind: "command-start" }); // the shell reports: holding is on from now
    g.onEvent({ kind: "command-end", exitCode: 0 });
    g.onEvent({ kind: "prompt-start" });
    g.approvedLine("ls  -la", ann, "c1");
    g.input(enc.encode("\r"));
    g.input(enc.encode("next"));
    expect(sent).toEqual(["\r"]);
    g.onEvent({ kind: "command-start" });
    await g.onEvent({ kind: "exec", mode: "line", nonce: "n0000001", line: "ls -la" });
    expect(sent).toEqual(["\r", "#n0000001y\n", "next"]);
    expect(log.filter((l) => l.startsWith("evaluate"))).toEqual([]);
  });

  it("type-ahead the verdict read of an unapproved line swallows is sent again behind its verdict", async () => {
    const { g, sent } = setup();
    g.onEvent({ kind: "prompt-end", guard: true });
    // Typed while a command ran: the tracker let both lines through as a program's input.
    for (const b of ["echo two", "\r", "echo three", "\r"]) expect(g.input(enc.encode(b))).toBe(true);
    g.onEvent({ kind: "command-start" }); // readline took "echo two"; the trap reads the rest with the verdict
    expect(g.input(enc.encode("pwd"))).toBe(false);
    await g.onEvent({ kind: "exec", mode: "line", nonce: "n0000001", line: "echo two" });
    expect(sent.slice(4)).toEqual(["#n0000001y\n", "echo three\r", "pwd"]);
  });

  it("swallowed type-ahead behind a refused line is dropped; a line found twice gives nothing back", async () => {
    const refused = setup();
    refused.g.onEvent({ kind: "prompt-end", guard: true });
    for (const b of ["touch x\r", "echo three\r"]) refused.g.input(enc.encode(b));
    refused.g.onEvent({ kind: "command-start" });
    await refused.g.onEvent({ kind: "exec", mode: "line", nonce: "n0000002", line: "touch x" });
    expect(refused.sent.slice(2)).toEqual(["#n0000002n\n"]);
    const twice = setup();
    twice.g.onEvent({ kind: "prompt-end", guard: true });
    for (const b of ["ls\r", "ls\r", "pwd\r"]) twice.g.input(enc.encode(b));
    twice.g.onEvent({ kind: "command-start" });
    await twice.g.onEvent({ kind: "exec", mode: "line", nonce: "n0000003", line: "ls" });
    expect(twice.sent.slice(3)).toEqual(["#n0000003y\n"]);
  });

  it("nothing is held before the shell has shown it reports (no C mark yet)", () => {
    const { g, sent } = setup();
    g.approvedLine("ls", ann, "c1");
    g.input(enc.encode("\r"));
    g.input(enc.encode("x"));
    expect(sent).toEqual(["\r", "x"]);
  });

  it("a line the room never judged is judged now and refused", async () => {
    const { g, sent, log } = setup();
    g.typist = ann;
    g.onEvent({ kind: "command-start" });
    await g.onEvent({ kind: "exec", mode: "line", nonce: "n0000002", line: "touch /tmp/x" });
    expect(sent).toEqual(["#n0000002n\n"]);
    expect(log).toContain("evaluate u-ann touch /tmp/x");
    expect(
      log.some((l) => l.startsWith("blocked u-ann touch /tmp/x | Refused as the shell was about to run it")),
    ).toBe(true);
    expect(log).toContain("alert refused_at_execution 0");
  });

  it("a line nobody recorded that may run gets its row, once per line, followed to its end", async () => {
    const { g, sent, log } = setup();
    g.typist = ann;
    g.onEvent({ kind: "command-start" });
    await g.onEvent({ kind: "exec", mode: "line", nonce: "n0000012", line: "echo typed-ahead" });
    expect(sent).toEqual(["#n0000012y\n"]);
    expect(log).toContain("unrecorded u-ann echo typed-ahead (followed)");
    g.onEvent({ kind: "command-end", exitCode: 0 });
    // A line the tracker recorded gets no second row; a bind -x command (outside any line) gets one.
    g.onEvent({ kind: "prompt-start" });
    g.approvedLine("echo hi", ann, "c8");
    g.input(enc.encode("\r"));
    g.onEvent({ kind: "command-start" });
    await g.onEvent({ kind: "exec", mode: "line", nonce: "n0000013", line: "echo hi" });
    g.onEvent({ kind: "command-end", exitCode: 0 });
    await g.onEvent({ kind: "exec", mode: "simple", nonce: "n0000014", line: "date" });
    // Not kept in history: each command is reported, the line gets one row.
    g.onEvent({ kind: "command-start" });
    await g.onEvent({ kind: "exec", mode: "simple", nonce: "n0000015", line: "echo a" });
    await g.onEvent({ kind: "exec", mode: "simple", nonce: "n0000016", line: "echo b" });
    expect(log.filter((l) => l.startsWith("unrecorded"))).toEqual([
      "unrecorded u-ann echo typed-ahead (followed)",
      "unrecorded u-ann date",
      "unrecorded u-ann echo a (followed)",
    ]);
  });

  it("a different line than the one approved: judged, and the row gets the real text", async () => {
    const { g, sent, log } = setup();
    g.onEvent({ kind: "command-start" });
    g.onEvent({ kind: "command-end", exitCode: 0 });
    g.onEvent({ kind: "prompt-start" });
    g.approvedLine("echo hi", ann, "c7");
    g.input(enc.encode("\r"));
    g.onEvent({ kind: "command-start" });
    await g.onEvent({ kind: "exec", mode: "line", nonce: "n0000003", line: "echo hello" });
    expect(sent).toEqual(["\r", "#n0000003y\n"]);
    expect(log).toContain("corrected c7 echo hello");
  });

  it("commands outside any line (bind -x) are judged one by one", async () => {
    const { g, sent } = setup();
    await g.onEvent({ kind: "exec", mode: "simple", nonce: "n0000004", line: "date" });
    await g.onEvent({ kind: "exec", mode: "simple", nonce: "n0000005", line: "touch /tmp/y" });
    expect(sent).toEqual(["#n0000004y\n", "#n0000005n\n"]);
  });

  it("a line first reported by a subshell ($(…) in a for list): one verdict, input held until the shell's own report", async () => {
    const { g, sent, log } = setup();
    g.onEvent({ kind: "command-start" });
    g.onEvent({ kind: "command-end", exitCode: 0 });
    g.onEvent({ kind: "prompt-start" });
    const line = "for i in $(seq 1 40); do echo $i; done";
    g.approvedLine(line, ann, "c9");
    g.input(enc.encode("\r"));
    g.input(enc.encode("echo next\r"));
    g.onEvent({ kind: "command-start" });
    await g.onEvent({ kind: "exec", mode: "subshell", nonce: "n0000020", line });
    // The shell itself reports the line next and reads a verdict too: what was typed behind still waits.
    expect(sent).toEqual(["\r", "#n0000020y\n"]);
    await g.onEvent({ kind: "exec", mode: "line", nonce: "n0000021", line });
    expect(sent).toEqual(["\r", "#n0000020y\n", "#n0000021y\n", "echo next\r"]);
    expect(log.filter((l) => l.startsWith("evaluate"))).toEqual([]);
  });

  it("a refused line reported by a subshell and then by the shell is refused twice, recorded once", async () => {
    const { g, sent, log } = setup();
    g.typist = ann;
    g.onEvent({ kind: "command-start" });
    const line = "for i in $(touch /tmp/x); do :; done";
    await g.onEvent({ kind: "exec", mode: "subshell", nonce: "n0000022", line });
    await g.onEvent({ kind: "exec", mode: "line", nonce: "n0000023", line });
    expect(sent).toEqual(["#n0000022n\n", "#n0000023n\n"]);
    expect(log.filter((l) => l.startsWith("evaluate"))).toEqual([`evaluate u-ann ${line}`]);
    expect(log.filter((l) => l.startsWith("blocked"))).toHaveLength(1);
    // An allowed line nobody recorded, reported twice, gets one row; the next line is judged afresh.
    g.onEvent({ kind: "command-end", exitCode: 0 });
    g.onEvent({ kind: "prompt-start" });
    g.onEvent({ kind: "command-start" });
    const ok = "for i in $(seq 1 3); do :; done";
    await g.onEvent({ kind: "exec", mode: "subshell", nonce: "n0000024", line: ok });
    await g.onEvent({ kind: "exec", mode: "line", nonce: "n0000025", line: ok });
    expect(log.filter((l) => l.startsWith("unrecorded"))).toEqual([`unrecorded u-ann ${ok} (followed)`]);
    g.onEvent({ kind: "command-end", exitCode: 0 });
    g.onEvent({ kind: "prompt-start" });
    g.onEvent({ kind: "command-start" });
    await g.onEvent({ kind: "exec", mode: "line", nonce: "n0000026", line });
    expect(log.filter((l) => l.startsWith("blocked"))).toHaveLength(2);
  });

  it("fc and eval lines are answered 's': each command is reported as it comes", async () => {
    const { g, sent } = setup();
    g.onEvent({ kind: "command-start" });
    await g.onEvent({ kind: "exec", mode: "line", nonce: "n0000006", line: "fc -s echo=" });
    expect(sent).toEqual(["#n0000006s\n"]);
  });

  it("a line that touches the integration is refused as tampering, whatever the policies say", async () => {
    const { g, sent, log } = setup(() => "allow");
    g.onEvent({ kind: "command-start" });
    await g.onEvent({ kind: "exec", mode: "line", nonce: "n0000007", line: "trap - DEBUG" });
    expect(sent).toEqual(["#n0000007n\n"]);
    expect(log).toContain("alert integration_tamper 0");
    expect(
      log.some((l) => l.includes("blocked u-owner trap - DEBUG | Refused: the line changes the DEBUG trap")),
    ).toBe(true);
  });

  it("a line that ran no command (a function definition) is fine; a prompt without marks ends the session", async () => {
    const a = setup();
    a.g.onEvent({ kind: "command-start" });
    a.g.onEvent({ kind: "command-end", exitCode: 0 });
    a.g.onEvent({ kind: "prompt-start" });
    await a.flush();
    expect(a.log.some((l) => l.startsWith("end"))).toBe(false);

    const b = setup();
    b.g.onEvent({ kind: "command-start" });
    await b.g.onEvent({ kind: "exec", mode: "line", nonce: "n0000008", line: "ls" });
    b.g.onEvent({ kind: "command-end", exitCode: 0 });
    b.advance(PROMPT_AFTER_END_MS - 1);
    b.g.onEvent({ kind: "prompt-start" });
    b.advance(10_000);
    expect(b.log.some((l) => l.startsWith("end"))).toBe(false);
    b.g.onEvent({ kind: "command-start" });
    await b.g.onEvent({ kind: "exec", mode: "line", nonce: "n0000009", line: "ls" });
    b.g.onEvent({ kind: "command-end", exitCode: 0 });
    b.advance(PROMPT_AFTER_END_MS);
    await b.flush();
    expect(b.log.some((l) => l.startsWith("end A command ended but no prompt mark followed"))).toBe(true);
  });

  it("a missing prompt mark while the agent is away is not tampering; a reopened shell starts afresh", async () => {
    const { g, log, advance, connected, flush } = setup();
    g.onEvent({ kind: "command-start" });
    await g.onEvent({ kind: "exec", mode: "line", nonce: "n0000011", line: "sleep 100" });
    connected.up = false;
    g.onEvent({ kind: "command-end", exitCode: 0 });
    advance(PROMPT_AFTER_END_MS * 3);
    connected.up = true;
    g.onEvent({ kind: "prompt-start" });
    advance(PROMPT_AFTER_END_MS * 3);
    g.onEvent({ kind: "command-start" });
    g.reset();
    g.onEvent({ kind: "command-start" });
    await flush();
    expect(log.some((l) => l.startsWith("end"))).toBe(false);
  });

  it("a new line before the last one ended (no D: PROMPT_COMMAND emptied) ends the session", async () => {
    const { g, log, flush } = setup();
    g.onEvent({ kind: "command-start" });
    await g.onEvent({ kind: "exec", mode: "line", nonce: "n0000010", line: "ls" });
    g.onEvent({ kind: "command-start" });
    await flush();
    expect(log.some((l) => l.startsWith("end A command line began before the last one ended"))).toBe(true);
  });

  it("forged marks raise one alert per window", () => {
    const { g, log } = setup();
    for (let i = 0; i < 5; i++) g.onEvent({ kind: "forged-mark", mark: "B" });
    expect(log.filter((l) => l.startsWith("alert forged_mark"))).toEqual(["alert forged_mark 0"]);
  });

  it("held input goes out at the next prompt when the line ran nothing, or after the hold time", () => {
    const { g, sent, advance } = setup();
    g.onEvent({ kind: "command-start" });
    g.onEvent({ kind: "command-end", exitCode: 0 });
    g.onEvent({ kind: "prompt-start" });
    g.approvedLine("# a comment", ann, "c2");
    g.input(enc.encode("\r"));
    g.input(enc.encode("a"));
    g.onEvent({ kind: "prompt-end", guard: false });
    expect(sent).toEqual(["\r", "a"]);
    g.approvedLine("sleep 1", ann, "c3");
    g.input(enc.encode("\r"));
    g.input(enc.encode("b"));
    advance(5_000);
    expect(sent).toEqual(["\r", "a", "\r", "b"]);
  });
});
