// The shared command-policy corpus (test/fixtures/command-policy.json, a copy of shared/corpus) end to end:
// its rules are created through POST /api/policies, then every must_block line must be blocked and every
// must_allow line allowed through POST /api/policies/evaluate — for an Admin and for a Technician.
import { beforeAll, describe, expect, it } from "vitest";
import corpus from "../fixtures/command-policy.json";
import { type Client, provision, superAdmin, tenantClient, unique, userWithRole } from "../support/api.ts";

type Err = { error: { code: string; details?: { fields?: { path: string }[] } } };
type Decision = { decision: string; rule: { name: string } | null; reason: string };

// The seed writes the fork bomb as `:(\)\{…` — the "(" opens a group that never closes, so no regex engine
// compiles it. The API refuses it (checked below); the corpus runs with the escape the seed meant.
const SEED_FORK_BOMB = ":(\\)\\{\\s*:\\|:\\&\\s*\\};:";
const FORK_BOMB = ":\\(\\)\\{\\s*:\\|:\\&\\s*\\};:";

const rules = corpus.rules.map((r) => ({
  name: r.name,
  pattern: r.pattern,
  pattern_type: r.pattern_type,
  severity: r.severity,
}));

let admin: Client;
let tech: Client;

beforeAll(async () => {
  const t = await provision(await superAdmin());
  admin = await tenantClient(t);
  tech = (await userWithRole(t, admin, "Technician")).client;
  const verbatim = await admin.post<Err>("/api/policies", {
    name: "Corpus (verbatim)",
    blocked_commands: rules,
  });
  expect(verbatim.status).toBe(400);
  expect(verbatim.body.error.code).toBe("INVALID_REGEX");
  const forkBomb = rules.findIndex((r) => r.pattern === SEED_FORK_BOMB);
  expect(verbatim.body.error.details?.fields?.map((f) => f.path)).toEqual([
    `blocked_commands.${forkBomb}.pattern`,
  ]);
  const r = await admin.post("/api/policies", {
    name: unique("Corpus"),
    blocked_commands: rules.map((rule) =>
      rule.pattern === SEED_FORK_BOMB ? { ...rule, pattern: FORK_BOMB } : rule,
    ),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
});

async function decide(c: Client, command: string): Promise<Decision> {
  const r = await c.post<Decision>("/api/policies/evaluate", { command });
  expect(r.status, command).toBe(200);
  return r.body;
}

describe("command-policy corpus through POST /api/policies/evaluate", () => {
  it(`blocks all ${corpus.must_block.length} must_block lines`, async () => {
    const missed: string[] = [];
    for (const line of corpus.must_block) {
      for (const who of [admin, tech]) {
        const d = await decide(who, line);
        if (d.decision !== "block") missed.push(`${JSON.stringify(line)} → ${d.decision}: ${d.reason}`);
      }
    }
    expect(missed).toEqual([]);
  });

  it(`allows all ${corpus.must_allow.length} must_allow lines`, async () => {
    const refused: string[] = [];
    for (const line of corpus.must_allow) {
      for (const who of [admin, tech]) {
        const d = await decide(who, line);
        if (d.decision !== "allow") refused.push(`${JSON.stringify(line)} → ${d.decision}: ${d.reason}`);
      }
    }
    expect(refused).toEqual([]);
  });

  it("names the rule behind each block", async () => {
    expect((await decide(admin, "sudo rm -rf /")).rule?.name).toBe("Recursive Delete Root");
    expect((await decide(admin, "dd if=/dev/zero of=/dev/sda")).rule?.name).toBe("Disk Overwrite");
    expect((await decide(admin, "mkfs.ext4 /dev/sda1")).rule?.name).toBe("Format Filesystem");
    expect((await decide(admin, ":(){ :|:& };:")).rule?.name).toBe("Fork Bomb");
    expect((await decide(admin, "shutdown -h now")).rule?.name).toBe("Shutdown");
    expect((await decide(admin, "sudo iptables -F INPUT")).rule?.name).toBe("Firewall flush");
  });
});
