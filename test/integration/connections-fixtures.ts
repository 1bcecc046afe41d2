// Shared helpers for the /api/connections integration tests (test/integration/connections-*.test.ts): the
// response shapes, a valid request body, create and audit look-ups, and a fresh tenant with its admin — one
// module so the split test files do not each carry a copy.
import {
  type Client,
  type ProvisionedTenant,
  provision,
  superAdmin,
  tenantClient,
  unique,
  withTestDb,
} from "../support/api.ts";

export type Err = { error: { code: string; message: string; details?: { fields?: { path: string }[] } } };
export type Conn = Record<string, unknown> & { id: string };
export type List = { data: Conn[]; pagination: { page: number; page_size: number; total: number } };

export const PASSWORD = "s3cret-Pa55word-for-the-target";
export const CERT =
  "-----BEGIN CERTIFICATE-----\nMIIBfake-certificate-body-0123456789\n-----END CERTIFICATE-----";

export function base(extra: Record<string, unknown> = {}) {
  return {
    name: unique("web"),
    hostname: "web-01.internal.example",
    username: "deploy",
    auth_method: "password",
    password: PASSWORD,
    ...extra,
  };
}

export async function create(c: Client, extra: Record<string, unknown> = {}): Promise<Conn> {
  const r = await c.post<Conn>("/api/connections", base(extra));
  if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function auditTypes(tenantId: string, connectionId: string): Promise<string[]> {
  return withTestDb(async (pool) => {
    const r = await pool.query<{ event_type: string }>(
      "select event_type from audit_log where organization_id = $1 and connection_id = $2 order by created_at",
      [tenantId, connectionId],
    );
    return r.rows.map((x) => x.event_type);
  });
}

/** A fresh tenant and its admin client: each test file provisions its own in a beforeAll. */
export async function adminTenant(): Promise<{ t: ProvisionedTenant; admin: Client }> {
  const t = await provision(await superAdmin());
  return { t, admin: await tenantClient(t) };
}
