// PostgreSQL adapter: reads the tenant's remote-access tables, always filtered to the tenant's own rows
// (the pooled database holds every tenant) and never with secret columns.
import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { ApiError } from "../../errors.ts";
import type { ReadPage, TenantDataAdapter } from "./types.ts";

// Readable tables and the column that scopes them to a tenant.
const TABLES: Record<string, string> = {
  organization: "id",
  user: "organization_id",
  role: "organization_id",
  connection: "organization_id",
  ssh_key: "organization_id",
  session: "organization_id",
  session_viewer: "organization_id",
  command: "organization_id",
  policy: "organization_id",
  blocked_command: "organization_id",
  session_recording: "organization_id",
  audit_log: "organization_id",
};

export const SECRET_COLUMNS = new Set([
  "password_hash",
  "password_encrypted",
  "private_key_encrypted",
  "passphrase_encrypted",
  "two_factor_secret",
  "two_factor_pending_secret",
  "two_factor_recovery_codes",
  "certificate",
]);

export function postgresAdapter(db: Db, tenantId: string): TenantDataAdapter {
  return {
    driver: "postgresql",
    async ping() {
      await db.execute(sql`select 1`);
    },
    async listTables() {
      return Object.keys(TABLES).sort();
    },
    async read(table, { limit, offset }): Promise<ReadPage> {
      const scopeColumn = TABLES[table];
      if (!scopeColumn) throw new ApiError("NOT_FOUND", `No readable table "${table}"`);
      const cols = await db.execute<{ column_name: string }>(
        sql`select column_name from information_schema.columns where table_schema = 'public' and table_name = ${table} order by ordinal_position`,
      );
      const visible = cols.rows.map((r) => r.column_name).filter((c) => !SECRET_COLUMNS.has(c));
      const list = sql.join(
        visible.map((c) => sql.identifier(c)),
        sql`, `,
      );
      const where = sql`${sql.identifier(scopeColumn)} = ${tenantId}`;
      const rows = await db.execute<Record<string, unknown>>(
        sql`select ${list} from ${sql.identifier(table)} where ${where} order by 1 limit ${limit} offset ${offset}`,
      );
      const total = await db.execute<{ n: number }>(
        sql`select count(*)::int as n from ${sql.identifier(table)} where ${where}`,
      );
      return { rows: rows.rows, total: total.rows[0]?.n ?? 0 };
    },
    async close() {},
  };
}
