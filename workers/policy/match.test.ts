// The rule index is an optimisation: it must find exactly what trying every rule on every text finds.
// Checked against a brute-force reference on random rule sets and command lines.

import { describe, expect, it } from "vitest";
import { PolicyCompileError } from "./errors.ts";
import {
  MAX_REGEX_INPUT,
  normalizeContains,
  normalizeExact,
  type RuleHit,
  RuleIndex,
  type Scope,
} from "./match.ts";
import { parseCommandLine } from "./parse-shell.ts";
import { analyzeRegex } from "./regex-analysis.ts";
import type { PatternType, RuleInput } from "./types.ts";

function rule(
  id: string,
  pattern: string,
  patternType: PatternType,
  appliesToTypes: RuleInput["appliesToTypes"] = [],
): RuleInput {
  return { id, policyId: "p", name: id, pattern, patternType, severity: "high", appliesToTypes };
}

const everything: Scope = { policies: new Uint8Array([1]), typeBit: 0 };

function hitsOf(index: RuleIndex, line: string, scope: Scope = everything): string[] {
  const parsed = parseCommandLine(line);
  const hits: RuleHit[] = [];
  index.match(
    parsed.commands.map((c) => c.canonical),
    parsed.fragments,
    scope,
    hits,
  );
  return [...new Set(hits.map((h) => h.rule.input.id))].sort();
}

/** The documented semantics, applied rule by rule with no index. */
function bruteForce(rules: RuleInput[], line: string): string[] {
  const parsed = parseCommandLine(line);
  const commands = parsed.commands.map((c) => c.canonical);
  const out: string[] = [];
  for (const r of rules) {
    let hit = false;
    if (r.patternType === "exact") hit = commands.includes(normalizeExact(r.pattern));
    else if (r.patternType === "contains") {
      const lit = normalizeContains(r.pattern);
      hit = [...commands, ...parsed.fragments].some((t) => t.includes(lit));
    } else {
      const re = new RegExp(r.pattern);
      const texts = analyzeRegex(r.pattern).anchored ? commands : [...commands, ...parsed.fragments];
      hit = texts.some((t) => re.test(t.slice(0, MAX_REGEX_INPUT)));
    }
    if (hit) out.push(r.id);
  }
  return out.sort();
}

describe("RuleIndex", () => {
  it("anchored rules match commands, not data; unanchored and contains rules also match the source", () => {
    const rules = [
      rule("anchored", "^rm\\s+-rf\\s+/", "regex"),
      rule("free", "iptables\\s+-F", "regex"),
      rule("contains", "iptables -F", "contains"),
      rule("exact", "shutdown -h now", "exact"),
    ];
    const index = new RuleIndex(rules.map((input) => ({ input, policy: 0 })));
    expect(hitsOf(index, "echo 'rm -rf /'")).toEqual([]);
    expect(hitsOf(index, "ls && rm -rf /")).toEqual(["anchored"]);
    expect(hitsOf(index, "echo 'iptables -F'")).toEqual(["contains", "free"]);
    expect(hitsOf(index, "sudo  /sbin/shutdown   -h now")).toEqual(["exact"]);
    expect(hitsOf(index, "shutdown -h now please")).toEqual([]);
  });

  it("exact patterns are canonicalised like commands", () => {
    expect(normalizeExact("  /sbin/shutdown  '-h'   now ")).toBe("shutdown -h now");
    expect(normalizeExact("sudo reboot")).toBe("sudo reboot");
  });

  it("respects the connection types of a rule; unknown type means every rule applies", () => {
    const index = new RuleIndex([{ input: rule("ssh-only", "^reboot$", "regex", ["ssh"]), policy: 0 }]);
    expect(hitsOf(index, "reboot", { policies: new Uint8Array([1]), typeBit: 2 })).toEqual([]);
    expect(hitsOf(index, "reboot", { policies: new Uint8Array([1]), typeBit: 1 })).toEqual(["ssh-only"]);
    expect(hitsOf(index, "reboot", { policies: new Uint8Array([1]), typeBit: 0 })).toEqual(["ssh-only"]);
    expect(hitsOf(index, "reboot", { policies: new Uint8Array([0]), typeBit: 0 })).toEqual([]);
  });

  it("refuses invalid and blank patterns with a typed error", () => {
    expect(() => new RuleIndex([{ input: rule("bad", "(", "regex"), policy: 0 }])).toThrow(
      PolicyCompileError,
    );
    try {
      new RuleIndex([{ input: rule("blank", "  ", "contains"), policy: 0 }]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyCompileError);
      expect((e as PolicyCompileError).code).toBe("INVALID_PATTERN");
      expect((e as PolicyCompileError).ruleId).toBe("blank");
    }
  });

  it("finds exactly what the brute-force reference finds (random rules and lines)", () => {
    let seed = 99;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
    const programs = ["rm", "rmdir", "dd", "mkfs.ext4", "git", "ls", "iptables", "kill", "sudo", "echo"];
    const args = [
      "-rf",
      "-r",
      "/",
      "/tmp",
      "if=/dev/zero",
      "-F",
      "-9",
      "1",
      "push",
      "--force",
      "'a b'",
      "$(id)",
    ];
    const regexTails = ["\\s+-rf\\s+/", "\\b", "\\s", "$", "\\s+(?:-F|--flush)", ".*", "\\s+\\S+\\s+/", ""];
    const rules: RuleInput[] = [];
    for (let i = 0; i < 300; i++) {
      const prog = pick(programs);
      const kind = next();
      if (kind < 0.35) rules.push(rule(`r${i}`, `^${prog.replace(".", "\\.")}${pick(regexTails)}`, "regex"));
      else if (kind < 0.5)
        rules.push(rule(`r${i}`, `${pick(args).replace("$", "\\$")}\\s*${pick(["/", "1", "x"])}`, "regex"));
      else if (kind < 0.6)
        rules.push(
          rule(`r${i}`, `^(?:${prog}|${pick(programs)})\\s+${pick(args).replace("$", "\\$")}`, "regex"),
        );
      else if (kind < 0.8) rules.push(rule(`r${i}`, `${prog} ${pick(args)}`, "exact"));
      else rules.push(rule(`r${i}`, `${pick(args)} ${pick(args)}`, "contains"));
    }
    const index = new RuleIndex(rules.map((input) => ({ input, policy: 0 })));
    let nonEmpty = 0;
    for (let i = 0; i < 400; i++) {
      const parts: string[] = [];
      const n = 1 + Math.floor(next() * 3);
      for (let k = 0; k < n; k++) {
        const words = [pick(programs)];
        for (let a = Math.floor(next() * 4); a > 0; a--) words.push(pick(args));
        parts.push(words.join(" "));
      }
      const line = parts.join(pick([" ; ", " && ", " | ", "\n"]));
      const expected = bruteForce(rules, line);
      if (expected.length > 0) nonEmpty++;
      expect(hitsOf(index, line), line).toEqual(expected);
    }
    expect(nonEmpty).toBeGreaterThan(100);
  });
});
