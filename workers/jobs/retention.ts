// Retention: for every organization, in tenant-id order, delete what is past its window (settings/
// retention.ts) — recordings (every object under the recording's prefix in R2, then the row marked deleted),
// commands, audit events — unless a legal hold is in place. A run touches at most `budget` rows (a
// recording counts one, whatever its object count, and at most RECORDINGS_PER_RUN go); where it stops is
// kept in job_state, so the next run resumes at that organization and the walk never restarts from the
// first tenant while work is left.
// Idempotent: what is deleted is exactly what is past its window at `now`, so a rerun finds nothing. Each
// organization where anything was deleted gets one `retention.run` audit event (system) with the counts.
// Pooled and dedicated tenants alike: Databases.tenant opens the tenant's own database.
import { recordAudit } from "../audit/audit.ts";
import { auditStore } from "../audit/store.ts";
import { commandStore } from "../commands/store.ts";
import type { Databases } from "../db/databases.ts";
import type { Bindings } from "../env.ts";
import { recordingStore } from "../recordings/store.ts";
import { expiredBefore, type Retention, retentionOf } from "../settings/retention.ts";
import { type TenantContext, tenantContext } from "../tenancy/context.ts";
import { invalidateOrganization, loadOrganization } from "../tenancy/organization.ts";
import { jobFailed, readCursor, tenantsAfter, writeCursor } from "./store.ts";
import type { Job, JobContext, JobResult } from "./types.ts";

const NAME = "retention";
const TENANT_PAGE = 100;
/** Each recording costs at least a list and a delete in R2: this many per run keeps a run well inside the
 * Worker's subrequest limit, whatever the row budget. */
export const RECORDINGS_PER_RUN = 200;

type Counts = Record<string, number>;

function add(into: Counts, from: Counts): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/** Deletes every object of one recording (its chunks, under `<prefix>/`); how many went. */
async function deleteObjects(bucket: R2Bucket, fileUrl: string): Promise<number> {
  const prefix = `${fileUrl.replace(/^r2:\/\//, "").replace(/\/$/, "")}/`;
  let deleted = 0;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor, limit: 1000 });
    const keys = page.objects.map((o) => o.key);
    if (keys.length > 0) await bucket.delete(keys);
    deleted += keys.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}

/** One organization's expired data, up to `budget` rows; `done` when nothing expired is left. */
async function retainOrganization(
  ctx: TenantContext,
  r: Retention,
  now: Date,
  budget: number,
  recordingsLeft: number,
): Promise<{ counts: Counts; used: number; done: boolean }> {
  const counts: Counts = { recordings_deleted: 0, recording_objects_deleted: 0 };
  let left = budget;
  const recordings = recordingStore(ctx);
  const limit = Math.min(left, recordingsLeft);
  const expired = await recordings.expired(now, expiredBefore(now, r.recordingDays), limit);
  for (const rec of expired) {
    counts.recording_objects_deleted =
      (counts.recording_objects_deleted ?? 0) + (await deleteObjects(ctx.env.RECORDINGS, rec.fileUrl));
    await recordings.markDeleted(rec.id, now);
    counts.recordings_deleted = (counts.recordings_deleted ?? 0) + 1;
  }
  left -= expired.length;
  // The run's recording allowance is spent (more may be waiting): this organization continues next run.
  if (expired.length === limit && limit < budget) return { counts, used: budget - left, done: false };
  counts.commands_deleted =
    left > 0 ? await commandStore(ctx).deleteExecutedBefore(expiredBefore(now, r.commandDays), left) : 0;
  left -= counts.commands_deleted;
  counts.audit_events_deleted =
    left > 0 ? await auditStore(ctx).deleteBefore(expiredBefore(now, r.auditDays), left) : 0;
  left -= counts.audit_events_deleted;
  return { counts, used: budget - left, done: left > 0 };
}

async function auditRun(ctx: TenantContext, r: Retention, counts: Counts, done: boolean, now: Date) {
  const total =
    (counts.recordings_deleted ?? 0) + (counts.commands_deleted ?? 0) + (counts.audit_events_deleted ?? 0);
  if (total === 0) return;
  await recordAudit(ctx, {
    type: "retention.run",
    action: "retention.delete",
    category: "system",
    description:
      `Retention deleted ${counts.recordings_deleted} recording(s), ${counts.commands_deleted} command(s) ` +
      `and ${counts.audit_events_deleted} audit event(s)${done ? "" : "; more remain for the next run"}`,
    metadata: {
      ...counts,
      more: !done,
      as_of: now.toISOString(),
      windows_days: { recordings: r.recordingDays, commands: r.commandDays, audit: r.auditDays },
    },
  });
}

/** One organization: its settings read fresh, its hold honoured, its expired data deleted and audited. */
async function runOrganization(
  dbs: Databases,
  env: Bindings,
  tenantId: string,
  now: Date,
  budget: number,
  recordingsLeft: number,
) {
  return dbs.tenant(tenantId, async (db, tenant, control) => {
    const ctx = tenantContext({ env, tenant, db, control });
    invalidateOrganization(tenantId);
    const r = retentionOf((await loadOrganization(db, tenantId)).settings);
    if (r.onHold) return { counts: { organizations_on_hold: 1 }, used: 0, done: true };
    const out = await retainOrganization(ctx, r, now, budget, recordingsLeft);
    await auditRun(ctx, r, out.counts, out.done, now);
    return out;
  });
}

/** The retention job over every tenant — or, for tests sharing one database, over `only` these. */
export function retentionJobOver(only?: readonly string[], recordingsPerRun = RECORDINGS_PER_RUN): Job {
  return {
    name: NAME,
    cron: "17 * * * *",
    run: (ctx) => retain(ctx, recordingsPerRun, only),
  };
}

export const retentionJob = retentionJobOver();

async function retain(
  { env, dbs, now, budget }: JobContext,
  recordingsPerRun: number,
  only?: readonly string[],
): Promise<JobResult> {
  const counts: Counts = { organizations: 0 };
  let left = budget;
  let resumeAfter = await dbs.control((db) => readCursor(db, NAME));
  for (;;) {
    const ids = await dbs.control((db) => tenantsAfter(db, resumeAfter, TENANT_PAGE, only));
    for (const id of ids) {
      try {
        const recordingsLeft = recordingsPerRun - (counts.recordings_deleted ?? 0);
        const out = await runOrganization(dbs, env, id, now, left, recordingsLeft);
        add(counts, out.counts);
        left -= out.used;
        if (!out.done) {
          // Resume at this organization next time: the cursor names the one before it.
          await dbs.control((db) => writeCursor(db, NAME, resumeAfter));
          return { counts, more: true };
        }
      } catch (err) {
        // One unreachable tenant database must not stop every other organization's retention.
        counts.organizations_failed = (counts.organizations_failed ?? 0) + 1;
        const message = `tenant ${id}: ${err instanceof Error ? err.message : String(err)}`;
        await dbs.control((db) => jobFailed(db, NAME, message, null));
      }
      counts.organizations = (counts.organizations ?? 0) + 1;
      resumeAfter = id;
    }
    if (ids.length < TENANT_PAGE) break;
  }
  await dbs.control((db) => writeCursor(db, NAME, null));
  return { counts, more: false };
}
