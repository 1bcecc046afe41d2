// Bypasses reported against other products' command filters, replayed against the seed's rules. Each
// must be blocked — or, where the engine cannot know the command statically, sent for approval — and
// ordinary work must still pass.

import { describe, expect, it } from "vitest";
import { compilePolicies, evaluateCommand, type RuleInput } from "../../workers/policy/index.ts";

const seedRules: [string, string, RuleInput["patternType"]][] = [
  ["Recursive Delete Root", "^rm\\s+-rf\\s+/", "regex"],
  ["Disk Overwrite", "^dd\\s+if=/dev/", "regex"],
  ["Format Filesystem", "^mkfs\\.", "regex"],
  ["Fork Bomb", ":\\(\\)\\{\\s*:\\|:\\&\\s*\\};:", "regex"],
  ["Shutdown", "shutdown -h now", "exact"],
  ["Firewall flush", "iptables -F", "contains"],
];

const compiled = compilePolicies([
  {
    id: "seed",
    name: "Seed",
    isActive: true,
    appliesToRoles: [],
    appliesToConnections: [],
    blockedCommands: seedRules.map(([name, pattern, patternType], i) => ({
      id: `seed-${i}`,
      policyId: "seed",
      name,
      pattern,
      patternType,
      severity: "critical",
      appliesToTypes: [],
    })),
    requireApproval: false,
    autoDisconnectOnViolation: true,
    notifyOnViolation: true,
  },
]);

const decide = (line: string) => evaluateCommand(compiled, line, { connectionType: "ssh" });

describe("blocked bypass attempts", () => {
  it.each([
    // chains, pipelines, copy-paste
    "ls; rm -rf /",
    "ls\nrm -rf /",
    "cd /srv/app\ngit pull\nrm -rf /\n",
    "true && rm -rf / || echo failed",
    "echo ok | rm -rf / &",
    "(rm -rf /)",
    "{ rm -rf /; }",
    // whitespace and quoting
    "rm\t-rf\t/",
    "rm \\\n  -rf /",
    "r''m -rf /",
    '"r"m -rf /',
    "'rm' -rf '/'",
    "r\\m -rf /",
    "\\rm -rf /",
    "$'\\x72\\x6d' -rf /",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a template
    "rm${IFS}-rf${IFS}/",
    "rm$IFS-rf$IFS/",
    "{rm,-rf,/}",
    // program paths and prefixes
    "/bin/rm -rf /",
    "/usr/bin/../bin/rm -rf /",
    "FOO=1 rm -rf /",
    "rm -rf / >/dev/null 2>&1",
    // wrappers
    "command rm -rf /",
    "env rm -rf /",
    "env -i PATH=/bin rm -rf /",
    "sudo rm -rf /",
    "sudo -u root rm -rf /",
    "sudo -E -H -u root -- rm -rf /",
    "doas rm -rf /",
    "nice -n 10 rm -rf /",
    "timeout 5 rm -rf /",
    "timeout --signal=KILL 5s rm -rf /",
    "exec rm -rf /",
    "nohup rm -rf / &",
    "time rm -rf /",
    "stdbuf -o0 rm -rf /",
    "busybox rm -rf /",
    "su -c 'rm -rf /'",
    // substitutions and re-parsing
    "echo $(rm -rf /)",
    "echo `rm -rf /`",
    'ls "$(echo "$(rm -rf /)")"',
    "cat <(rm -rf /)",
    "bash -c 'rm -rf /'",
    'sh -c "rm -rf /"',
    "zsh -c 'rm -rf /'",
    "bash -c \"bash -c 'rm -rf /'\"",
    "eval 'rm -rf /'",
    "eval rm -rf /",
    "bash <<< 'rm -rf /'",
    "bash <<'EOF'\nrm -rf /\nEOF",
    "echo 'rm -rf /' | bash",
    "x=rm; $x -rf /",
    '"$(echo rm)" -rf /',
    "rm -rf $(echo /)",
    "d=/; rm -rf $d",
    // compound commands and functions
    "if true; then rm -rf /; fi",
    "for i in 1; do rm -rf /; done",
    "while :; do rm -rf /; break; done",
    "case x in *) rm -rf /;; esac",
    "f(){ rm -rf /; }; f",
    // run-by-others
    "echo / | xargs rm -rf",
    "find / -exec rm -rf {} \\;",
    "find / -maxdepth 0 -exec rm -rf {} +",
    "alias ls='rm -rf /'",
    "trap 'rm -rf /' EXIT",
    // the other seed rules
    "dd if=/dev/zero of=/dev/sda",
    "sudo dd if=/dev/urandom of=/dev/nvme0n1",
    "mkfs.ext4 /dev/sda1",
    "sudo mkfs.xfs -f /dev/sdb",
    ":(){ :|:& };:",
    "shutdown -h now",
    "sudo /sbin/shutdown -h now",
    "iptables -F",
    "sudo iptables -F INPUT",
    "bash -c 'iptables -F'",
  ])("%j", (line) => {
    const d = decide(line);
    expect(d.decision, `${d.reason} ${JSON.stringify(d.commands)}`).toBe("block");
    expect(d.autoDisconnect).toBe(true);
  });
});

describe("needs approval: the command is only known at run time", () => {
  it.each([
    "$x -rf /",
    "$(cat cmd.txt) -rf /",
    "/???/?m -rf /",
    "xargs rm -rf < list",
    'bash -c "$CMD"',
    "echo 'rm -rf / unterminated",
    "echo rm -rf / && $(!!:2-4)",
    "^echo^",
  ])("%j", (line) => {
    const d = decide(line);
    expect(d.decision, d.reason).toBe("require_approval");
    expect(d.rule).toBeNull();
  });
});

describe("ordinary work is allowed", () => {
  it.each([
    "ls -la /",
    "rm -rf ./build",
    "rm -rf build/ && mkdir build",
    "echo 'rm -rf /'",
    "git commit -m 'rm -rf / is dangerous'",
    "grep -rn 'dd if=/dev/' docs/",
    "printf '%s\\n' 'mkfs.ext4 is scary'",
    "man shutdown",
    "bash script.sh",
    "sudo systemctl restart nginx",
    "find . -name '*.o' -delete",
    'for f in *.log; do gzip "$f"; done',
    "cat <<'EOF' > notes.txt\nnever run rm -rf /\nEOF",
    "docker run --rm -it alpine sh",
    "kubectl exec -it pod -- ls /",
  ])("%j", (line) => {
    const d = decide(line);
    expect(d.decision, `${d.reason} ${JSON.stringify(d.commands)}`).toBe("allow");
  });
});
