// `command` rules: one spec holds against every spelling of the same command (option order, bundling,
// long names and abbreviations, wrappers, paths, quoting), look-alikes pass, bad specs are refused, and
// the matcher's pieces (argv reading, path normalisation, globs) agree with simple references.

import { describe, expect, it } from "vitest";
import { compileArgPattern, matchArg, normalizeOperand, readArgv } from "./command-rule.ts";
import { compilePolicies, evaluateCommand } from "./evaluate.ts";
import { checkRule } from "./regex-safety.ts";
import type { PolicyInput, RuleInput } from "./types.ts";

function rule(spec: object, extra: Partial<RuleInput> = {}): RuleInput {
  return {
    id: extra.id ?? "r",
    policyId: "p",
    name: extra.name ?? "rule",
    pattern: JSON.stringify(spec),
    patternType: "command",
    severity: "critical",
    appliesToTypes: [],
    ...extra,
  };
}

function policy(rules: RuleInput[], extra: Partial<PolicyInput> = {}): PolicyInput {
  return {
    id: "p",
    name: "Policy",
    isActive: true,
    appliesToRoles: [],
    appliesToConnections: [],
    blockedCommands: rules,
    allowedCommands: null,
    requireApproval: false,
    autoDisconnectOnViolation: false,
    notifyOnViolation: false,
    ...extra,
  };
}

const RM_ROOT = { program: "rm", options: ["-r", "-f"], args: ["/", "/*", "~", "~/*"] };
const rmRoot = compilePolicies([policy([rule(RM_ROOT, { id: "rm-root", name: "Recursive Delete Root" })])]);
const decide = (line: string) => evaluateCommand(rmRoot, line, { connectionType: "ssh" });

describe("one command rule, every spelling", () => {
  it.each([
    "rm -rf /",
    "rm -fr /",
    "rm -r -f /",
    "rm -f -r /",
    "rm --recursive --force /",
    "rm --force --recursive /",
    "rm --rec --for /",
    "rm -rf --no-preserve-root /",
    "rm --no-preserve-root -rf /",
    "rm -Rf /",
    "rm -R -f /",
    "rm -rfv /",
    "rm -rf -- /",
    "rm / -rf",
    "rm -rf //",
    "rm -rf /.",
    "rm -rf /tmp/..",
    "rm -rf /*",
    "rm -rf ~",
    "rm -rf ~/",
    "rm -rf $HOME",
    "/bin/rm -rf /",
    "/usr/bin/rm -rf /",
    "\\rm -rf /",
    "'rm' '-rf' '/'",
    "r\\m -rf /",
    "command rm -rf /",
    "sudo rm -rf /",
    "sudo -u root rm --recursive --force /",
    "toybox rm -rf /",
    "busybox rm -rf /",
    "env rm -rf /",
    "nohup rm -rf / &",
    "timeout 5 rm -rf /",
    "ls; rm -rf /",
    "bash -c 'rm -r -f /'",
    "echo / | xargs rm -rf",
    "find / -maxdepth 0 -exec rm -rf {} \\;",
    "x=/; rm -rf $x",
    "rm -rf ./tmp /",
  ])("%s is blocked", (line) => {
    const d = decide(line);
    expect(d.decision, `${line}: ${d.reason}`).toBe("block");
    expect(d.rule?.id).toBe("rm-root");
    expect(d.rule?.patternType).toBe("command");
  });

  it.each([
    "rm -rf ./build",
    "rm -rf build/",
    "rm -rf /tmp/build",
    "rm -f /",
    "rm -r /tmp",
    "rm -- -rf",
    "echo rm -rf /",
    "grep -r rm /",
    "ls -rf /",
    "git commit -m 'rm -rf /'",
    "rm -i -r ./x",
  ])("%s is allowed", (line) => {
    const d = decide(line);
    expect(d.decision, `${line}: ${d.reason}`).toBe("allow");
  });
});

/** Deterministic PRNG (mulberry32), as in regex-analysis.test.ts. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("spellings generated at random (property)", () => {
  const next = rng(2026);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const shuffle = <T>(xs: T[]): T[] => {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
    }
    return xs;
  };
  const RECURSIVE = ["-r", "-R", "--recursive", "--recur", "--rec"];
  const FORCE = ["-f", "--force", "--forc", "--fo"];
  const EXTRA = ["-v", "--verbose", "--no-preserve-root", "--one-file-system", "-I"];
  const PROGRAM = ["rm", "/bin/rm", "/usr/bin/rm", "\\rm", "'rm'", '"rm"', "r\\m"];
  const WRAPPER = [
    "",
    "sudo ",
    "sudo -u root ",
    "command ",
    "env ",
    "nohup ",
    "timeout 9 ",
    "nice -n 5 ",
    "exec ",
  ];
  const ROOT = ["/", "//", "/.", "/./", "/*", "'/'", '"/"', "~", "$HOME", "/tmp/.."];

  /** Options as a word list: each chosen spelling, short ones sometimes bundled together. */
  function options(parts: string[]): string[] {
    const shorts = parts.filter((p) => /^-[a-zA-Z]$/.test(p));
    const longs = parts.filter((p) => !shorts.includes(p));
    const words = next() < 0.5 && shorts.length > 1 ? [`-${shorts.map((s) => s.slice(1)).join("")}`] : shorts;
    return shuffle([...words, ...longs]);
  }

  function line(withRecursive: boolean, withForce: boolean, target: string): string {
    const parts: string[] = [];
    if (withRecursive) parts.push(pick(RECURSIVE));
    if (withForce) parts.push(pick(FORCE));
    if (next() < 0.5) parts.push(pick(EXTRA));
    const opts = options(parts);
    const before =
      next() < 0.3 ? [...opts, "--", target] : next() < 0.2 ? [target, ...opts] : [...opts, target];
    return `${pick(WRAPPER)}${pick(PROGRAM)} ${before.join(" ")}`;
  }

  it("every spelling of recursive + force on the root is blocked", () => {
    for (let n = 0; n < 2000; n++) {
      const l = line(true, true, pick(ROOT));
      expect(decide(l).decision, l).toBe("block");
    }
  });

  it("without one of the two options, or on another path, it is allowed", () => {
    for (let n = 0; n < 2000; n++) {
      const drop = next() < 0.5;
      const l =
        next() < 0.5
          ? line(!drop, drop, pick(ROOT))
          : line(true, true, pick(["./build", "build/", "/tmp/x", "~/x/y"]));
      // --no-preserve-root and friends are not -r/-f; "-I" is not "-i"… only the two options count.
      expect(decide(l).decision, l).toBe("allow");
    }
  });
});

describe("specs for the usual dangerous programs", () => {
  const rules: [object, string[], string[]][] = [
    [
      { program: ["chmod", "chown", "chgrp"], options: ["-R"], args: ["/", "/*", "/etc", "/usr"] },
      [
        "chmod -R 777 /",
        "chmod --recursive 777 /",
        "chown -R nobody:nogroup /",
        "sudo chown --from=root -R x /etc",
      ],
      ["chmod 777 /", "chmod -R 755 ./public", "chown -R app:app /srv/app"],
    ],
    [
      { program: "dd", args: ["of=/dev/sd*", "of=/dev/nvme*"] },
      ["dd if=/dev/zero of=/dev/sda", "dd bs=1M of=/dev/nvme0n1 if=x.img"],
      ["dd if=/dev/sda of=backup.img", "dd --help"],
    ],
    [
      { program: "mkfs*" },
      ["mkfs.ext4 /dev/sda1", "mkfs -t xfs /dev/sdb", "sudo mkfs.xfs -f /dev/sdb"],
      ["mkdir x"],
    ],
    [
      { program: ["shutdown", "reboot", "halt", "poweroff"] },
      ["shutdown -h now", "sudo reboot", "/sbin/poweroff", "halt -p"],
      ["uptime", "echo shutdown"],
    ],
    [
      { program: "kill", options: ["-9"], args: ["1", "-1"] },
      ["kill -9 1", "kill -KILL 1", "kill -SIGKILL -1", "sudo kill -9 -1"],
      ["kill -9 1234", "kill 1"],
    ],
    [
      { program: ["killall", "pkill"], args: ["sshd", "agent"] },
      ["killall sshd", "pkill -9 sshd", "pkill -u root sshd"],
      ["pkill -f myjob"],
    ],
    [
      { program: ["iptables", "ip6tables"], any_options: ["-F", "-X"] },
      [
        "iptables -F",
        "iptables --flush",
        "iptables -t nat -F",
        "sudo ip6tables --delete-chain",
        "iptables -FX",
      ],
      ["iptables -L", "iptables -t filter -L -n"],
    ],
    [{ program: ["userdel", "deluser"] }, ["userdel -r bob", "sudo deluser bob"], ["useradd bob"]],
    [
      { program: "crontab", options: ["-r"] },
      ["crontab -r", "crontab -u root -r", "crontab -ir"],
      ["crontab -l", "crontab -u r -l"],
    ],
    [
      { program: "git", subcommand: "push", any_options: ["--force", "--force-with-lease"] },
      [
        "git push --force",
        "git push -f origin main",
        "git -C /srv/app push --force",
        "git push origin main --force-with-lease",
      ],
      ["git push", "git pull --force", "git push origin main"],
    ],
    [
      { program: "find", options: ["-delete"], args: ["/", "/*"] },
      ["find / -delete", "find / -name '*.log' -delete", "find /etc -type f -delete"],
      ["find . -delete", "find / -depth -links 2", "find / -name -delete"],
    ],
    [
      { program: "git", subcommand: "push", args: ["+*"] },
      ["git push origin +main"],
      ["git push origin main"],
    ],
    [
      {
        program: "systemctl",
        subcommand: ["stop", "disable", "mask"],
        args: ["sshd", "sshd.service", "ssh"],
      },
      ["systemctl stop sshd", "sudo systemctl --now disable ssh", "systemctl -H host stop sshd.service"],
      ["systemctl status sshd", "systemctl restart nginx", "systemctl stop nginx"],
    ],
  ];
  it.each(rules)("%j", (spec, blocked, allowed) => {
    const c = compilePolicies([policy([rule(spec)])]);
    expect(checkRule({ pattern: JSON.stringify(spec), patternType: "command", examples: blocked })).toEqual({
      ok: true,
    });
    for (const line of blocked) expect(evaluateCommand(c, line).decision, line).toBe("block");
    for (const line of allowed) expect(evaluateCommand(c, line).decision, line).toBe("allow");
  });
});

describe("admission of command specs", () => {
  it.each([
    ["not json", "a command pattern is a JSON object"],
    ["[]", "invalid command pattern"],
    ['{"program": "rm", "extra": 1}', "invalid command pattern"],
    ['{"options": ["-r"]}', "program"],
    ['{"program": ""}', "program.0"],
    ['{"program": "rm -rf"}', "program.0"],
    ['{"program": "rm", "options": ["r"]}', "options.0"],
    ['{"program": "rm", "options": ["--"]}', "options.0"],
    ['{"program": "rm", "args": ["a b"]}', "args.0"],
    ['{"program": "rm", "args": []}', "args"],
    ['{"program": "git", "subcommand": "-f"}', "subcommand.0"],
  ])("%s is refused", (pattern, message) => {
    const r = checkRule({ pattern, patternType: "command" });
    expect(r).toMatchObject({ ok: false, code: "INVALID_PATTERN" });
    expect(r.ok ? "" : r.message).toContain(message);
  });

  it("compilePolicies refuses a stored bad spec with INVALID_PATTERN", () => {
    expect(() => compilePolicies([policy([{ ...rule({}), pattern: '{"program": 1}' }])])).toThrowError(
      expect.objectContaining({ code: "INVALID_PATTERN", ruleId: "r" }),
    );
  });

  it("examples must match", () => {
    expect(
      checkRule({ pattern: JSON.stringify(RM_ROOT), patternType: "command", examples: ["rm -rf ./build"] }),
    ).toMatchObject({ ok: false, code: "EXAMPLE_NOT_MATCHED", example: "rm -rf ./build" });
  });
});

describe("argv reading", () => {
  it("bundles, long names, abbreviations, values and --", () => {
    expect([...readArgv("rm", ["-rfv", "--no-pres", "/"]).options].sort()).toEqual([
      "--no-preserve-root",
      "-f",
      "-r",
      "-v",
    ]);
    expect(readArgv("chown", ["--from", "root", "-R", "x", "/"]).operands).toEqual(["x", "/"]);
    expect(readArgv("git", ["-C", "/srv", "push", "-f"]).operands).toEqual(["push"]);
    expect(readArgv("rm", ["--", "-rf"]).operands).toEqual(["-rf"]);
    expect(readArgv("tar", ["-xzf", "a.tgz"]).options).toEqual(new Set(["-x", "-z", "-f"]));
    // `--p` abbreviates both --preserve-root and --no-… ? no: only options starting with it.
    expect(readArgv("rm", ["--pre"]).options).toEqual(new Set(["--preserve-root"]));
  });

  it("an ambiguous abbreviation stays as written", () => {
    expect(readArgv("chmod", ["--re"]).options).toEqual(new Set(["--re"]));
  });
});

describe("operand normalisation and globs", () => {
  it.each([
    ["/", "/"],
    ["//", "/"],
    ["/./", "/"],
    ["/.", "/"],
    ["/..", "/"],
    ["/tmp/../", "/"],
    ["/etc/", "/etc"],
    ["./build", "build"],
    ["build/", "build"],
    ["../x", "../x"],
    ["$HOME", "~"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a template
    ["${HOME}/", "~"],
    ["~/", "~"],
    ["-rf", "-rf"],
  ])("%s → %s", (word, normal) => {
    expect(normalizeOperand(word)).toBe(normal);
  });

  const toRegex = (p: string): RegExp =>
    new RegExp(
      `^${p
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*\*/g, "§")
        .replace(/\*/g, "[^/]*")
        .replace(/\?/g, "[^/]")
        .replace(/§/g, "[^]*")}$`,
    );

  it("glob matching agrees with a regex reference on random patterns and words", () => {
    const next = rng(12);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
    let wild = 0;
    for (let n = 0; n < 5000; n++) {
      const p = Array.from({ length: 1 + Math.floor(next() * 6) }, () =>
        pick(["a", "b", "/", "*", "**", "?"]),
      ).join("");
      const w = Array.from({ length: Math.floor(next() * 10) }, () => pick(["a", "b", "/", "."])).join("");
      const compiled = compileArgPattern(p);
      if (compiled.literal !== null) continue;
      wild++;
      expect(matchArg(compiled, w), `${p} ~ ${w}`).toBe(toRegex(p).test(w));
    }
    expect(wild).toBeGreaterThan(2000);
  });

  it("escapes make wildcards literal", () => {
    expect(matchArg(compileArgPattern("/\\*"), "/*")).toBe(true);
    expect(matchArg(compileArgPattern("/\\*"), "/etc")).toBe(false);
    expect(matchArg(compileArgPattern("/*"), "/etc")).toBe(true);
    expect(matchArg(compileArgPattern("/*"), "/etc/x")).toBe(false);
    expect(matchArg(compileArgPattern("/**"), "/etc/x")).toBe(true);
  });

  it("a long operand against a wildcard-heavy pattern stays fast", () => {
    const p = compileArgPattern("*a*a*a*a*a*a*a*a*b");
    const t = performance.now();
    expect(matchArg(p, "a".repeat(4096))).toBe(false);
    expect(performance.now() - t).toBeLessThan(200);
  });
});
