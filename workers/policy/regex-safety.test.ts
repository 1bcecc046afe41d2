// checkRule, the admission gate for rules: examples must really be matched, and a regex must be
// proven linear. recheck's automaton analysis takes up to a second per pattern, hence the timeouts.

import { describe, expect, it } from "vitest";
import { checkRule, unboundedConstruct } from "./regex-safety.ts";

const SLOW = 60_000;

describe("checkRule accepts", () => {
  it.each([
    ["^rm\\s+-rf\\s+/", ["rm -rf /", "rm -rf /*", "sudo rm -rf /", "bash -c 'rm -rf /'"]],
    ["^dd\\s+if=/dev/", ["dd if=/dev/zero of=/dev/sda"]],
    ["^mkfs\\.", ["mkfs.ext4 /dev/sda1"]],
    [":\\(\\)\\{\\s*:\\|:\\&\\s*\\};:", [":(){ :|:& };:"]],
    [
      "^rm\\s+-(?:rf|fr|r\\s+-f|f\\s+-r|-recursive\\s+--force)\\s+/",
      ["rm -r -f /", "rm --recursive --force /"],
    ],
    ["^(?<tool>curl|wget)\\s.*\\|\\s*(?:ba)?sh\\b", []],
  ])(
    "the safe regex %s with its examples",
    (pattern, examples) => {
      expect(checkRule({ pattern, patternType: "regex", examples })).toEqual({ ok: true });
    },
    SLOW,
  );

  it("exact and contains rules whose examples match", () => {
    expect(
      checkRule({ pattern: "shutdown -h now", patternType: "exact", examples: ["sudo shutdown -h now"] }),
    ).toEqual({
      ok: true,
    });
    expect(
      checkRule({ pattern: "iptables -F", patternType: "contains", examples: ["sudo iptables -F INPUT"] }),
    ).toEqual({
      ok: true,
    });
  });
});

describe("checkRule refuses", () => {
  it(
    "an example the rule does not match, naming it",
    () => {
      const r = checkRule({
        pattern: "^rm\\s+-rf\\s+/",
        patternType: "regex",
        examples: ["rm -rf /", "rm -r -f /"],
      });
      expect(r).toMatchObject({ ok: false, code: "EXAMPLE_NOT_MATCHED", example: "rm -r -f /" });
      // Data is not a command: the anchored rule does not match an echo of the text.
      expect(
        checkRule({ pattern: "^rm\\s", patternType: "regex", examples: ["echo 'rm -rf /'"] }),
      ).toMatchObject({
        code: "EXAMPLE_NOT_MATCHED",
      });
      expect(
        checkRule({ pattern: "shutdown -h now", patternType: "exact", examples: ["shutdown -h now now"] }),
      ).toMatchObject({
        code: "EXAMPLE_NOT_MATCHED",
      });
    },
    SLOW,
  );

  it.each(["(", "[a-", "a{2,1}", ":(\\)\\{\\s*:\\|:\\&\\s*\\};:"])("the invalid regex %s", (pattern) => {
    expect(checkRule({ pattern, patternType: "regex" })).toMatchObject({ ok: false, code: "INVALID_REGEX" });
  });

  it.each([
    "(a+)+$",
    "(a*)*b",
    "(a|aa)+$",
    "(a|a)*$",
    "(x+x+)+y",
    "^(\\w+\\s?)+$",
    "\\s*#?\\s*$",
    "^dd\\s+.*of=/dev/sd",
    "^(.*?,){11}P",
  ])(
    "the super-linear regex %s",
    (pattern) => {
      const r = checkRule({ pattern, patternType: "regex" });
      expect(r).toMatchObject({ ok: false, code: "UNSAFE_REGEX" });
    },
    SLOW,
  );

  it.each([
    ["(?<=sudo )rm", "lookbehind"],
    ["(?<!x)rm", "lookbehind"],
    ["(rm)\\s+\\1", "backreference"],
    ["(?<c>rm)\\s+\\k<c>", "backreference"],
  ])("%s, whose time cannot be bounded (%s)", (pattern, construct) => {
    const r = checkRule({ pattern, patternType: "regex" });
    expect(r).toMatchObject({ ok: false, code: "UNSAFE_REGEX" });
    expect(r.ok ? "" : r.message).toContain(construct);
  });

  it(
    "a lookahead, which the linear-time proof does not cover",
    () => {
      expect(checkRule({ pattern: "^rm\\s(?=.*-f)", patternType: "regex" })).toMatchObject({
        code: "UNSAFE_REGEX",
      });
    },
    SLOW,
  );

  it("blank and over-long patterns", () => {
    expect(checkRule({ pattern: "  ", patternType: "contains" })).toMatchObject({ code: "INVALID_PATTERN" });
    expect(checkRule({ pattern: "a".repeat(2000), patternType: "exact" })).toMatchObject({
      code: "INVALID_PATTERN",
    });
  });
});

describe("unboundedConstruct", () => {
  it.each([
    ["(?<=a)b", "a lookbehind"],
    ["a\\2", "a backreference"],
    ["[\\1]", null],
    ["(?<name>a)", null],
    ["\\\\1", null],
    ["[(?<=]", null],
  ])("%s → %s", (pattern, expected) => {
    expect(unboundedConstruct(pattern)).toBe(expected);
  });
});
