// What partition maintenance should do, decided without touching a database: given the clock, the
// partitions that exist, the periods of the rows waiting in the DEFAULT partition and the longest
// retention among the tenants sharing the database, which partitions to create and which to drop.
// Pure so that every boundary (month ends, ISO weeks across a year, retention edges) is unit-tested;
// partition-store.ts applies the plan. Partition names encode their period (audit_log_p202612,
// command_p20261130) and are the only partitions maintenance ever creates or drops: a table attached by
// hand under another name is left alone. Periods are UTC; weeks start on Monday (ISO), as in migration
// 0002, which creates the first ones with the same names.

export type Period = "month" | "week";

export interface PartitionSpec {
  table: "audit_log" | "command";
  /** The partition key (a timestamptz column). */
  column: "timestamp" | "executed_at";
  period: Period;
  /** Periods created after the current one, so inserts never wait for the job. */
  ahead: number;
  /** The organization settings key holding the tenant's retention, and its default (the seed's). */
  retentionKey: "audit_retention_days" | "command_retention_days";
  defaultRetentionDays: number;
}

export const PARTITIONED: readonly PartitionSpec[] = [
  {
    table: "audit_log",
    column: "timestamp",
    period: "month",
    ahead: 3,
    retentionKey: "audit_retention_days",
    defaultRetentionDays: 365,
  },
  {
    table: "command",
    column: "executed_at",
    period: "week",
    ahead: 4,
    retentionKey: "command_retention_days",
    defaultRetentionDays: 180,
  },
];

const DAY_MS = 86_400_000;

/** The start (UTC) of the period holding `d`. */
export function periodStart(period: Period, d: Date): Date {
  if (period === "month") return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  return new Date(day - sinceMonday * DAY_MS);
}

/** The start of the period `n` periods after the one starting at `start`. */
export function addPeriods(period: Period, start: Date, n: number): Date {
  if (period === "week") return new Date(start.getTime() + n * 7 * DAY_MS);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + n, 1));
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

export function partitionName(spec: PartitionSpec, start: Date): string {
  const ym = `${start.getUTCFullYear()}${pad(start.getUTCMonth() + 1)}`;
  return `${spec.table}_p${spec.period === "month" ? ym : `${ym}${pad(start.getUTCDate())}`}`;
}

/** The period start a maintenance-made partition name encodes, or null for any other name. */
export function parsePartitionName(spec: PartitionSpec, name: string): Date | null {
  const digits = spec.period === "month" ? 6 : 8;
  const m = new RegExp(`^${spec.table}_p(\\d{${digits}})$`).exec(name);
  if (!m?.[1]) return null;
  const y = Number(m[1].slice(0, 4));
  const mo = Number(m[1].slice(4, 6));
  const d = spec.period === "month" ? 1 : Number(m[1].slice(6, 8));
  const start = new Date(Date.UTC(y, mo - 1, d));
  // A name must round-trip: 202613 or a Tuesday are not names this module made.
  return mo >= 1 && mo <= 12 && partitionName(spec, periodStart(spec.period, start)) === name ? start : null;
}

/** A retention setting is used when it is a positive whole number of days; anything else is the default. */
function retentionOf(spec: PartitionSpec, settings: unknown): number {
  const v =
    settings && typeof settings === "object"
      ? (settings as Record<string, unknown>)[spec.retentionKey]
      : null;
  return typeof v === "number" && Number.isInteger(v) && v > 0 ? v : spec.defaultRetentionDays;
}

/** The longest retention among the organizations sharing a database (the default when there are none):
 * a partition holds every tenant's rows, so it may go only when the most patient tenant lets it. */
export function longestRetention(spec: PartitionSpec, settings: readonly unknown[]): number {
  return settings.reduce<number>(
    (max, s) => Math.max(max, retentionOf(spec, s)),
    settings.length ? 0 : spec.defaultRetentionDays,
  );
}

/** An organization under legal hold (`legal_hold` set in its settings) suspends every deletion of its
 * rows — and a shared partition holds its rows, so no partition of its database is dropped. */
export function anyLegalHold(settings: readonly unknown[]): boolean {
  return settings.some((s) => {
    const v = s && typeof s === "object" ? (s as Record<string, unknown>).legal_hold : undefined;
    return v !== undefined && v !== null && v !== false;
  });
}

export interface PartitionOp {
  name: string;
  from: Date;
  to: Date;
}

export interface PlanInput {
  now: Date;
  /** Names of the partitions attached to the table (any names; the DEFAULT one included or not). */
  existing: readonly string[];
  /** Timestamps (any within each period is enough) of rows sitting in the DEFAULT partition. */
  inDefault: readonly Date[];
  retentionDays: number;
  hold: boolean;
}

export interface Plan {
  /** Oldest first; `fromDefault` when rows of that period wait in DEFAULT and must move into it. */
  create: (PartitionOp & { fromDefault: boolean })[];
  /** Oldest first: partitions whose every row is past the longest retention. */
  drop: PartitionOp[];
}

export function planPartitions(spec: PartitionSpec, input: PlanInput): Plan {
  const { period } = spec;
  const op = (start: Date): PartitionOp => ({
    name: partitionName(spec, start),
    from: start,
    to: addPeriods(period, start, 1),
  });
  // A period may be dropped once its end is at least the retention behind now.
  const cutoff = input.now.getTime() - input.retentionDays * DAY_MS;
  const expired = (p: PartitionOp) => p.to.getTime() <= cutoff;

  const existing = new Set(input.existing);
  const current = periodStart(period, input.now);
  const last = addPeriods(period, current, spec.ahead);
  const defaultStarts = new Map<number, Date>();
  for (const d of input.inDefault) {
    const s = periodStart(period, d);
    defaultStarts.set(s.getTime(), s);
  }
  const wanted = new Map<number, Date>();
  for (let s = current; s <= last; s = addPeriods(period, s, 1)) wanted.set(s.getTime(), s);
  // Rows that landed in DEFAULT get their partition once their period is within the window (a far-future
  // row waits there until the window reaches it); rows past retention stay for the per-tenant DELETE.
  for (const [t, s] of defaultStarts) if (s <= last) wanted.set(t, s);

  const create = [...wanted.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, s]) => ({ ...op(s), fromDefault: defaultStarts.has(t) }))
    .filter((p) => !existing.has(p.name) && !expired(p));

  const drop = input.hold
    ? []
    : input.existing
        .map((name) => parsePartitionName(spec, name))
        .filter((s): s is Date => s !== null)
        .sort((a, b) => a.getTime() - b.getTime())
        .map(op)
        .filter(expired);
  return { create, drop };
}
