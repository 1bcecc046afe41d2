// Inline code and piped scripts: the commands they run are judged where they are written as literals;
// what cannot be read is never silently allowed — the policy's uncheckable_action decides.

import { describe, expect, it } from "vitest";
import { compilePolicies, evaluateCommand } from "./evaluate.ts";
import { readInlineCode } from "./inline-code.ts";
import type { PolicyInput, UncheckableAction } from "./types.ts";

function policy(action?: UncheckableAction, extra: Partial<PolicyInput> = {}): PolicyInput {
  return {
    id: "p",
    name: "Servers",
    isActive: true,
    appliesToRoles: [],
    appliesToConnections: [],
    blockedCommands: [
      {
        id: "rm-root",
        policyId: "p",
        name: "Recursive Delete Root",
        pattern: JSON.stringify({ program: "rm", options: ["-r", "-f"], args: ["/", "/*"] }),
        patternType: "command",
        severity: "critical",
        appliesToTypes: [],
      },
    ],
    allowedCommands: null,
    requireApproval: false,
    autoDisconnectOnViolation: false,
    notifyOnViolation: true,
    ...(action === undefined ? {} : { uncheckableAction: action }),
    ...extra,
  };
}

const compiled = compilePolicies([policy()]);
const decide = (line: string) => evaluateCommand(compiled, line, { connectionType: "ssh" });

describe("commands inside inline code are judged", () => {
  it.each([
    `python3 -c "import os; os.system('rm -rf /')"`,
    `python -c 'import subprocess; subprocess.run(["rm", "-rf", "/"])'`,
    `python3 -c 'import subprocess; subprocess.call("rm -fr /", shell=True)'`,
    `python3 -c 'from os import system; system("rm -r -f /")'`,
    `python3 -Sc 'import os; os.popen("rm -rf /")'`,
    `perl -e 'system("rm -rf /")'`,
    `perl -e 'exec "rm", "-rf", "/"'`,
    "perl -E '`rm -rf /`'",
    `ruby -e 'system("rm --recursive --force /")'`,
    "ruby -e '`rm -rf /`'",
    `node -e "require('child_process').execSync('rm -rf /')"`,
    `node --eval "const cp = require('child_process'); cp.spawnSync('rm', ['-rf', '/'])"`,
    `php -r 'system("rm -rf /");'`,
    `php -r 'shell_exec("rm -rf /");'`,
    `lua -e 'os.execute("rm -rf /")'`,
    `awk 'BEGIN{system("rm -rf /")}'`,
    `awk 'BEGIN{"rm -rf /" | getline x}'`,
    `gawk '{print | "rm -rf /"}' f`,
    `echo 'import os; os.system("rm -rf /")' | python3`,
    `sudo python3 -c "import os; os.system('rm -rf /')"`,
    // escapes decoded as the interpreter decodes them
    String.raw`python3 -c "import os; os.system('\x72m -rf /')"`,
    String.raw`python3 -c "import os; os.system('\162m -rf /')"`,
    String.raw`python3 -c "import os; os.system('\u0072m -rf /')"`,
    String.raw`node -e "require('child_process').execSync('\u{72}m -rf /')"`,
    String.raw`perl -e 'system("\x{72}m -rf /")'`,
    String.raw`php -r 'system("\x72m -rf /");'`,
    `python3 -c "from os import *; system('rm -rf /')"`,
    "find / -exec rm -rf {} \\;",
    "find / -execdir rm -rf {} +",
    "find / -ok rm -rf {} \\;",
    "echo / | xargs rm -rf",
    "env rm -rf /",
    "nohup rm -rf /",
    "timeout -s KILL 5 rm -rf /",
    "watch -n 1 rm -rf /",
    "su -c 'rm -rf /'",
    "ssh host rm -rf /",
    "ssh -p 2222 -i key admin@host 'rm -rf /'",
    "docker exec -it -u root web rm -rf /",
    "docker -H tcp://h:2375 container exec web sh -c 'rm -fr /'",
    "podman exec web rm -rf /",
    "kubectl exec -n prod -it pod-1 -- rm -rf /",
    "base64 -d <<< cm0gLXJmIC8= | sh",
    "echo cm0gLXJmIC8= | base64 -d | bash",
    "echo cm0gLXJmIC8= | base64 --decode | sudo bash",
  ])("%s is blocked by the rule", (line) => {
    const d = decide(line);
    expect(d.decision, `${line}: ${d.reason}`).toBe("block");
    expect(d.rule?.id).toBe("rm-root");
  });

  it.each([
    "python3 -c 'print(1 + 1)'",
    `python3 -c 'import json, sys; print(json.load(sys.stdin)["a"])'`,
    `python3 -c 'import os; print(os.path.exists("/tmp"))'`,
    `python3 -c 'import os; os.system("ls -la /")'`,
    "python3 -m http.server 8000",
    "python3 script.py",
    `perl -ne 'print if /error/' app.log`,
    `perl -pi -e 's/foo/bar/g' f.txt`,
    `ruby -e 'puts 1'`,
    "node -e 'console.log(40 + 2)'",
    "node -e 'console.log(process.version, process.env.HOME)'",
    `python3 -c 'import numpy as np; print(np.zeros(3))'`,
    `python3 -c 'import json; print(json.dumps({"a": 1}))'`,
    "php -r 'echo 1;'",
    "awk '{print $1}' access.log",
    "awk -F: '{ if ($3 > 1000 || $1 == \"x\") print $1 }' /etc/passwd",
    "echo bHM= | base64 -d | bash",
    // a raw string or a single-quoted perl string hands the backslash to the shell: `x72m`, not rm
    String.raw`python3 -c "import os; os.system(r'\x72m -rf /')"`,
    "echo aGVsbG8= | base64 -d",
    "ssh host uptime",
    "docker exec web ls /",
    "kubectl exec pod-1 -- cat /etc/hostname",
    "ssh host",
    "find . -name '*.o' -exec rm -f {} \\;",
    "bash script.sh",
  ])("%s is allowed", (line) => {
    const d = decide(line);
    expect(d.decision, `${line}: ${d.reason}`).toBe("allow");
    expect(d.uncheckable).toEqual([]);
  });
});

describe("what cannot be judged escalates, with the reason", () => {
  it.each([
    ["python3 -c 'import os; os.system(cmd)'", "inline python runs a command it builds at run time"],
    [
      `python3 -c 'import os; os.system("rm -rf " + "/")'`,
      "inline python runs a command it builds at run time",
    ],
    [`python3 -c '__import__("os").system("ls")'`, "inline python uses __import__"],
    [`python3 -c 'exec("print(1)")'`, "inline python uses exec"],
    [`python3 -c 'import shutil; shutil.rmtree("/")'`, "inline python uses shutil"],
    [`python3 -c 'import subprocess as s; s.run("ls")'`, "inline python uses subprocess"],
    [`python3 -c 'import os as o; o.system("rm -rf /")'`, "inline python uses os as"],
    [`python3 -c '__builtins__.__dict__["ev" + "al"]("1")'`, "inline python uses __builtins__"],
    [`php -r '("sys" . "tem")("ls");'`, "inline php uses )("],
    [`php -r '"system"("ls");'`, 'inline php uses "" ('],
    [`python3 -c 'import os; os.remove("/etc/passwd")'`, "inline python uses os.remove"],
    [`python3 -c "$CODE"`, "inline python code built at run time"],
    [
      `python3 -c 'import os; os.system(f"rm -rf {d}")'`,
      "inline python runs a command it builds at run time",
    ],
    [`perl -e 'system("rm -rf $dir")'`, "inline perl runs a command it builds at run time"],
    [`perl -e 'eval $x'`, "inline perl uses eval"],
    [`ruby -e 'system("rm -rf #{d}")'`, "inline ruby runs a command it builds at run time"],
    [`node -e "require('fs').rmSync('/', {recursive: true})"`, "inline node uses require"],
    [`node -e "process.binding('spawn_sync')"`, "inline node uses process"],
    [`php -r '$f = "system"; $f("ls");'`, "inline php uses $f("],
    ["awk '{system($0)}' cmds.txt", "inline awk runs a command it builds at run time"],
    [`awk '{print | "sh"}' cmds.txt`, "inline awk pipes code into sh"],
    [`python3 -c "import os; os.system('r''m -rf /')"`, "inline python runs a command it builds at run time"],
    [`python3 -c "import os; f = os.system; f('rm -rf /')"`, "inline python uses os.system"],
    ["perl -e 'system q{rm -rf /}'", "inline perl runs a command it builds at run time"],
    [`node -e "const {execSync: e} = require('child_process'); e('rm -rf /')"`, "inline node uses execSync"],
    ["curl -fsSL https://get.example.com | sh", "a script piped into sh from curl"],
    ["wget -O- https://x.example/i.sh | sudo bash", "a script piped into bash from wget"],
    ["curl -s https://x.example/p.py | python3", "a script piped into python3 from curl"],
    ["cat script.sh | bash", "a script piped into bash from cat"],
    ["echo '!!!' | base64 -d | bash", "a script piped into bash from base64"],
    ["bash <(curl -s https://x.example/i.sh)", "a script bash reads from a process substitution"],
    ["source <(curl -s https://x.example/env)", "a script source reads from a process substitution"],
    ["bash < <(curl -s https://x.example/i.sh)", "a script piped into bash from a process substitution"],
    ["python3 <(curl -s https://x.example/p.py)", "a script python3 reads from a process substitution"],
  ])("%s", (line, why) => {
    const d = decide(line);
    expect(d.decision, d.reason).toBe("require_approval");
    expect(d.rule).toBeNull();
    expect(d.uncheckable).toContain(why);
    expect(d.reason).toContain(`cannot be judged: ${why}`);
    expect(d.flags.some((f) => f === "uncheckable-code" || f === "opaque-script")).toBe(true);
  });
});

describe("uncheckable_action", () => {
  const line = "curl -fsSL https://get.example.com | sh";

  it("defaults to require_approval (absent in older inputs)", () => {
    expect(decide(line).decision).toBe("require_approval");
  });

  it("block: blocked, naming the policy and the cause, notifying as the policy says", () => {
    const d = evaluateCommand(compilePolicies([policy("block")]), line);
    expect(d).toMatchObject({
      decision: "block",
      rule: null,
      policy: { id: "p", name: "Servers" },
      notify: true,
      autoDisconnect: false,
    });
    expect(d.reason).toBe(
      'blocked: cannot be judged: a script piped into sh from curl (policy "Servers" blocks what it cannot judge)',
    );
  });

  it("allow: allowed, and the decision still says what could not be judged", () => {
    const d = evaluateCommand(compilePolicies([policy("allow")]), line);
    expect(d.decision).toBe("allow");
    expect(d.reason).toContain("allowed: cannot be judged: a script piped into sh from curl");
    expect(d.uncheckable).toEqual(["a script piped into sh from curl"]);
  });

  it("the strictest applicable policy wins; out-of-scope policies do not count", () => {
    const two = compilePolicies([
      policy("allow"),
      policy("block", { id: "q", name: "Ops only", appliesToRoles: ["ops"] }),
    ]);
    expect(evaluateCommand(two, line, { roleId: "ops" }).decision).toBe("block");
    expect(evaluateCommand(two, line, { roleId: "dev" }).decision).toBe("allow");
  });

  it("an incomplete line needs approval whatever the setting (it is not governed by it)", () => {
    for (const action of ["allow", "block"] as const) {
      const c = compilePolicies([policy(action)]);
      expect(evaluateCommand(c, "echo 'unterminated").decision, action).toBe("require_approval");
      expect(evaluateCommand(c, 'print("hi")').decision, action).toBe("require_approval");
    }
    // …but what else the line holds still is.
    expect(evaluateCommand(compilePolicies([policy("block")]), "curl x | sh; echo 'open").decision).toBe(
      "block",
    );
  });

  it("a block setting outranks an approval policy's rule match", () => {
    const c = compilePolicies([
      policy("block"),
      { ...policy(undefined, { id: "a", name: "Approvals", requireApproval: true }) },
    ]);
    expect(evaluateCommand(c, `rm -rf / ; ${line}`).decision).toBe("block");
  });

  it("applies to the other causes too (a program only known at run time)", () => {
    expect(evaluateCommand(compilePolicies([policy("block")]), "$x -rf /").decision).toBe("block");
  });

  it("with no applicable policy nothing is escalated", () => {
    const none = compilePolicies([policy("block", { appliesToConnections: ["c1"] })]);
    expect(evaluateCommand(none, line, { connectionId: "c2" }).decision).toBe("allow");
  });
});

describe("readInlineCode", () => {
  it("reads literal commands and ignores look-alikes inside strings", () => {
    expect(readInlineCode("python", `print("os.system('x')")`)).toEqual({ commands: [], uncheckable: null });
    expect(readInlineCode("python", `import os\nos.system('a'); os.system("b")`)).toEqual({
      commands: ["a", "b"],
      uncheckable: null,
    });
    expect(readInlineCode("node", `spawn('rm', ['-rf', 'a b'])`).commands).toEqual(["rm -rf 'a b'"]);
  });

  it("is linear enough for long code", () => {
    const code = `x = "${"a".repeat(4000)}"; ${"os.system('ls'); ".repeat(200)}`;
    const t = performance.now();
    readInlineCode("python", code);
    expect(performance.now() - t).toBeLessThan(500);
  });
});
