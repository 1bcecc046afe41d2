// The SQL of partition maintenance, on one tenant database (the pooled one or a dedicated one): what
// partitions exist, which periods have rows waiting in DEFAULT, the organizations' settings, and the DDL
// that applies a plan (partition-plan.ts). Not tenant-scoped on purpose: a partition holds every tenant of
// its database, which is why drops wait for the longest retention among them.
// DDL takes no bind parameters, so partition bounds are written as literals — only ever ISO strings made
// from a Date here — and names go through sql.identifier.
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import type { PartitionOp, PartitionSpec } from "./partition-plan.ts";

const literal = (d: Date) => sql.raw(`'${d.toISOString()}'::timestamptz`);
const id = (name: string) => sql.identifier(name);
export const defaultPartition = (spec: PartitionSpec) => `${spec.table}_default`;

type Exec = Pick<Db, "execute">;

async function rows<T>(db: Exec, query: ReturnType<typeof sql>): Promise<T[]> {
  return (await db.execute(query)).rows as T[];
}

/** Whether the table is partitioned in this database (a database not yet migrated to 0002 is skipped). */
export async function isPartitioned(db: Exec, spec: PartitionSpec): Promise<boolean> {
  const r = await rows<{ kind: string }>(
    db,
    sql`select relkind::text as kind from pg_class where oid = to_regclass(${`public.${spec.table}`})`,
  );
  return r[0]?.kind === "p";
}

/** The names of the partitions attached to the table. */
export async function partitionsOf(db: Exec, spec: PartitionSpec): Promise<string[]> {
  const r = await rows<{ name: string }>(
    db,
    sql`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = to_regclass(${`public.${spec.table}`})`,
  );
  return r.map((x) => x.name);
}

/** One timestamp per period that has rows in DEFAULT (normally none: DEFAULT holds only the unexpected). */
export async function periodsInDefault(db: Exec, spec: PartitionSpec): Promise<Date[]> {
  const r = await rows<{ at: string }>(
    db,
    sql`select distinct date_trunc(${spec.period}, ${id(spec.column)}, 'UTC') as at
        from ${id(defaultPartition(spec))}`,
  );
  return r.map((x) => new Date(x.at));
}

/** Every organization's settings (retention and legal hold live there). */
export async function organizationSettings(db: Exec): Promise<unknown[]> {
  const r = await rows<{ settings: unknown }>(db, sql`select settings from "organization"`);
  return r.map((x) => x.settings);
}

/** Creates one partition; returns how many rows it took over from DEFAULT. With rows of its period in
 * DEFAULT, PostgreSQL refuses the new partition (they would be in the wrong place), so DEFAULT is detached,
 * the partition created, its rows moved, and DEFAULT attached again — in one transaction, so concurrent
 * inserts wait on the table lock instead of failing, and a failure leaves everything as it was. */
export async function createPartition(
  db: Db,
  spec: PartitionSpec,
  op: PartitionOp & { fromDefault: boolean },
): Promise<number> {
  const table = id(spec.table);
  const bounds = sql`for values from (${literal(op.from)}) to (${literal(op.to)})`;
  if (!op.fromDefault) {
    await db.execute(sql`create table if not exists ${id(op.name)} partition of ${table} ${bounds}`);
    return 0;
  }
  return db.transaction(async (tx) => {
    const dflt = id(defaultPartition(spec));
    const inPeriod = sql`${id(spec.column)} >= ${literal(op.from)} and ${id(spec.column)} < ${literal(op.to)}`;
    await tx.execute(sql`alter table ${table} detach partition ${dflt}`);
    await tx.execute(sql`create table ${id(op.name)} partition of ${table} ${bounds}`);
    const moved = await tx.execute(
      sql`with gone as (delete from ${dflt} where ${inPeriod} returning *) insert into ${table} select * from gone`,
    );
    await tx.execute(sql`alter table ${table} attach partition ${dflt} default`);
    return moved.rowCount ?? 0;
  });
}

/** Detaches a partition, then drops it, in one transaction (no detached table is ever left behind). */
export async function dropPartition(db: Db, spec: PartitionSpec, name: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`alter table ${id(spec.table)} detach partition ${id(name)}`);
    await tx.execute(sql`drop table ${id(name)}`);
  });
}
