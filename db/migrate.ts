// Applies a migration set with drizzle's own migrator, from migrations bundled into code (db/migrations/
// bundle.ts) so that the Worker — which has no file system — migrates a new dedicated tenant database
// exactly as the Node CLI migrates the platform database.
import type { MigrationMeta } from "drizzle-orm/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { MIGRATIONS } from "./migrations/bundle.ts";

export type MigrationSet = keyof typeof MIGRATIONS;

const TABLES: Record<MigrationSet, string> = {
  control: "__control_migrations",
  tenant: "__tenant_migrations",
};

interface Migratable {
  dialect: { migrate(m: MigrationMeta[], session: unknown, cfg: { migrationsTable: string }): Promise<void> };
  session: unknown;
}

export async function applyMigrations<H extends PgQueryResultHKT>(
  db: PgDatabase<H, Record<string, unknown>>,
  set: MigrationSet,
): Promise<void> {
  // drizzle exposes dialect/session on the database object but not in its public types.
  const m = db as unknown as Migratable;
  await m.dialect.migrate([...MIGRATIONS[set]], m.session, { migrationsTable: TABLES[set] });
}
