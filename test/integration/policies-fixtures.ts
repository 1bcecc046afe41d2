// Shared helpers for the /api/policies integration tests (test/integration/policies-*.test.ts): the response
// shapes, a fresh tenant with its admin, and the create / evaluate calls every file makes, kept in one place
// so the split test files do not each carry a copy.
import {
  type Client,
  type ProvisionedTenant,
  provision,
  superAdmin,
  tenantClient,
  unique,
  withTestDb,
} from "../support/api.ts";

export type Err = {
  error: { code: string; message: string; details?: { fields?: { path: string }[]; example?: string } };
};
export type Rule = { id: string; name: string; pattern: string; pattern_type: string; examples: string[] };
export type Policy = Record<string, unknown> & { id: string; version: number; blocked_commands: Rule[] };
export type Decision = {
  decision: "allow" | "block" | "require_approval";
  rule: { id: string; name: string; policy_id: string } | null;
  policy: { id: string } | null;
  severity: string | null;
  auto_disconnect: boolean;
  notify: boolean;
  reason: string;
};

export const RM_ROOT = {
  name: "Recursive Delete Root",
  pattern: "^rm\\s+-rf\\s+/",
  pattern_type: "regex",
  severity: "critical",
  description: "wipes the server",
  examples: ["rm -rf /", "rm -rf /*"],
};

export async function tenant(): Promise<{ t: ProvisionedTenant; admin: Client }> {
  const t = await provision(await superAdmin());
  return { t, admin: await tenantClient(t) };
}

export async function createPolicy(c: Client, extra: Record<string, unknown> = {}): Promise<Policy> {
  const r = await c.post<Policy>("/api/policies", {
    name: unique("policy"),
    blocked_commands: [RM_ROOT],
    ...extra,
  });
  if (r.status !== 201) throw new Error(`policy create failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function createConnection(c: Client, type = "ssh"): Promise<string> {
  const r = await c.post<{ id: string }>("/api/connections", {
    name: unique("conn"),
    type,
    hostname: "srv.example",
    username: "ops",
    auth_method: "password",
    password: "target-Password-1",
  });
  if (r.status !== 201) throw new Error(`connection create failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id;
}

export async function evaluate(
  c: Client,
  command: string,
  extra: Record<string, unknown> = {},
): Promise<Decision> {
  const r = await c.post<Decision>("/api/policies/evaluate", { command, ...extra });
  if (r.status !== 200) throw new Error(`evaluate failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function roleId(name: string): Promise<string> {
  return withTestDb(async (pool) => {
    const r = await pool.query<{ id: string }>(
      `select id from "role" where name = $1 and organization_id is null`,
      [name],
    );
    return (r.rows[0] as { id: string }).id;
  });
}
