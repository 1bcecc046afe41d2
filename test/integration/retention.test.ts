// Retention against the real PostgreSQL and the Worker's R2, with the job's clock in the test's hands: it
// deletes exactly what is past each organization's window (recording chunks in R2 included), never another
// organization's rows, nothing under a legal hold; it stops at its budget and the next run goes on; a rerun
// is a no-op; dedicated tenant databases are served too. The jobs machinery itself: jobs.test.ts.
// The retention job is run over this file's organizations only (retentionJobOver): the database is shared
// with test files whose rows are old on purpose.
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { retentionJobOver } from "../../workers/jobs/retention.ts";
import { runJob } from "../../workers/jobs/runner.ts";
import { provision, sqlQuery, superAdmin, tenantClient, userWithRole } from "../support/api.ts";
import {
  addAudit,
  addCommand,
  addCommands,
  addRecording,
  countOf,
  daysBefore,
  objectsLeft,
  onDedicated,
  orgFixture,
  pooled,
  type Query,
} from "./retention-fixtures.ts";

type Meta = Record<string, unknown>;

async function auditOf(q: Query, orgId: string, type: string) {
  return q<{ metadata: Meta; event_category: string }>(
    `select metadata, event_category from audit_log where organization_id = $1 and event_type = $2
     order by timestamp`,
    [orgId, type],
  );
}

async function deletedAt(q: Query, id: string): Promise<Date | null> {
  const [r] = await q<{ deleted_at: Date | null }>(`select deleted_at from session_recording where id = $1`, [
    id,
  ]);
  return r?.deleted_at ?? null;
}

describe("retention job", () => {
  it("deletes exactly what is past each organization's window, R2 chunks included; a rerun is a no-op", async () => {
    const root = await superAdmin();
    const [a, b] = [await provision(root), await provision(root)];
    const adminA = await tenantClient(a);
    const adminB = await tenantClient(b);
    const tenYears = {
      recording_retention_days: 3650,
      audit_retention_days: 3650,
      command_retention_days: 3650,
    };
    expect((await adminB.patch("/api/settings", { settings: tenYears })).status).toBe(200);

    const now = new Date();
    const seed = async (orgId: string, keptDays: number) => {
      const o = await orgFixture(pooled, orgId);
      const oldCommand = await addCommand(pooled, o, daysBefore(now, 181), "old");
      const keptCommand = await addCommand(pooled, o, daysBefore(now, 179), "kept");
      await addAudit(pooled, orgId, daysBefore(now, 366));
      await addAudit(pooled, orgId, daysBefore(now, 364));
      // retention_until as the session room sets it: created + the organization's recording window.
      const oldRec = await addRecording(pooled, o, daysBefore(now, 91), daysBefore(now, 91 - keptDays), 3);
      const newRec = await addRecording(pooled, o, daysBefore(now, 10), daysBefore(now, 10 - keptDays), 2);
      return { oldCommand, keptCommand, oldRec, newRec };
    };
    const sa = await seed(a.id, 90);
    const sb = await seed(b.id, 3650);
    const job = retentionJobOver([a.id, b.id]);

    const first = await runJob(job, env, { now });
    expect(first).toMatchObject({ error: null, more: false });
    expect(first.counts).toMatchObject({
      organizations: 2,
      recordings_deleted: 1,
      recording_objects_deleted: 3,
      commands_deleted: 1,
      audit_events_deleted: 1,
    });

    // A: exactly the expired rows went.
    const commandsA = await pooled<{ id: string }>(`select id from command where organization_id = $1`, [
      a.id,
    ]);
    expect(commandsA.map((r) => r.id)).toEqual([sa.keptCommand]);
    const oldEventsA = await pooled(
      `select 1 from audit_log where organization_id = $1 and action = 'old-event'`,
      [a.id],
    );
    expect(oldEventsA).toHaveLength(1);
    expect(await deletedAt(pooled, sa.oldRec.id)).not.toBeNull();
    expect(await deletedAt(pooled, sa.newRec.id)).toBeNull();
    expect(await objectsLeft(sa.oldRec.keys)).toBe(0);
    expect(await objectsLeft(sa.newRec.keys)).toBe(2);
    // Reads say the recording is gone (404 naming retention), never a 500; the kept one still reads.
    const gone = await adminA.get<{ error: { code: string; message: string } }>(
      `/api/recordings/${sa.oldRec.id}`,
    );
    expect(gone.status).toBe(404);
    expect(gone.body.error.message).toMatch(/deleted by retention/);
    expect((await adminA.get(`/api/recordings/${sa.oldRec.id}/download`)).status).toBe(404);
    expect((await adminA.get(`/api/recordings/${sa.newRec.id}`)).status).toBe(200);
    const listed = await adminA.get<{ data: { id: string }[] }>("/api/recordings");
    expect(listed.body.data.map((r) => r.id)).toEqual([sa.newRec.id]);

    // B (ten-year windows), with rows of the same ages: untouched.
    expect(await countOf(pooled, "command", b.id)).toBe(2);
    expect(
      await pooled(`select 1 from audit_log where organization_id = $1 and action = 'old-event'`, [b.id]),
    ).toHaveLength(2);
    expect(await deletedAt(pooled, sb.oldRec.id)).toBeNull();
    expect(await objectsLeft(sb.oldRec.keys)).toBe(3);
    expect((await adminB.get(`/api/recordings/${sb.oldRec.id}`)).status).toBe(200);

    // Audited once, in A only, in the system category, with the counts.
    const runsA = await auditOf(pooled, a.id, "retention.run");
    expect(runsA).toHaveLength(1);
    expect(runsA[0]?.event_category).toBe("system");
    expect(runsA[0]?.metadata).toMatchObject({
      recordings_deleted: 1,
      recording_objects_deleted: 3,
      commands_deleted: 1,
      audit_events_deleted: 1,
      more: false,
      windows_days: { recordings: 90, commands: 180, audit: 365 },
    });
    expect(await auditOf(pooled, b.id, "retention.run")).toHaveLength(0);

    // The run's row.
    const [row] = await sqlQuery<{
      counts: Meta;
      more: boolean;
      error: string | null;
      finished_at: Date | null;
    }>(
      `select counts, more, error, finished_at from monitoring.job_run where job = 'retention'
       and started_at = $1 order by id desc limit 1`,
      [now.toISOString()],
    );
    expect(row).toMatchObject({ counts: first.counts, more: false, error: null });
    expect(row?.finished_at).not.toBeNull();

    // A rerun at the same instant finds nothing to do and audits nothing.
    const again = await runJob(job, env, { now });
    expect(again.counts).toMatchObject({
      recordings_deleted: 0,
      commands_deleted: 0,
      audit_events_deleted: 0,
    });
    expect(await auditOf(pooled, a.id, "retention.run")).toHaveLength(1);
    expect(await countOf(pooled, "command", a.id)).toBe(1);
  });

  it("a legal hold suspends all deletion until released; placing and releasing are privileged and audited", async () => {
    const root = await superAdmin();
    const t = await provision(root);
    const admin = await tenantClient(t);
    const now = new Date();
    const o = await orgFixture(pooled, t.id);
    await addCommand(pooled, o, daysBefore(now, 200), "old");
    await addAudit(pooled, t.id, daysBefore(now, 400));
    const rec = await addRecording(pooled, o, daysBefore(now, 100), daysBefore(now, 10), 2);
    const job = retentionJobOver([t.id]);

    expect((await admin.put("/api/settings/legal-hold", {})).status).toBe(400);
    expect((await admin.put("/api/settings/legal-hold", { reason: "  " })).status).toBe(400);
    const tech = await userWithRole(t, admin, "Technician");
    expect((await tech.client.put("/api/settings/legal-hold", { reason: "x" })).status).toBe(403);
    expect((await tech.client.delete("/api/settings/legal-hold")).status).toBe(403);
    // The settings PATCH cannot touch the hold.
    expect((await admin.patch("/api/settings", { settings: { legal_hold: null } })).status).toBe(400);

    const placed = await admin.put<{ settings: { legal_hold: Meta | null } }>("/api/settings/legal-hold", {
      reason: "Case 42",
    });
    expect(placed.status).toBe(200);
    expect(placed.body.settings.legal_hold).toMatchObject({ reason: "Case 42", placed_by: t.adminEmail });

    const held = await runJob(job, env, { now });
    expect(held.counts).toMatchObject({ organizations: 1, organizations_on_hold: 1 });
    expect(await countOf(pooled, "command", t.id)).toBe(1);
    expect(await objectsLeft(rec.keys)).toBe(2);
    expect(await deletedAt(pooled, rec.id)).toBeNull();
    expect(
      await pooled(`select 1 from audit_log where organization_id = $1 and action = 'old-event'`, [t.id]),
    ).toHaveLength(1);

    const released = await admin.delete<{ settings: { legal_hold: Meta | null } }>(
      "/api/settings/legal-hold",
    );
    expect(released.status).toBe(200);
    expect(released.body.settings.legal_hold).toBeNull();
    const after = await runJob(job, env, { now });
    expect(after.counts).toMatchObject({
      recordings_deleted: 1,
      commands_deleted: 1,
      audit_events_deleted: 1,
    });
    expect(await objectsLeft(rec.keys)).toBe(0);

    const [place] = await auditOf(pooled, t.id, "legal_hold.placed");
    expect(place).toMatchObject({ event_category: "system", metadata: { reason: "Case 42" } });
    const [release] = await auditOf(pooled, t.id, "legal_hold.released");
    expect(release).toMatchObject({ event_category: "system", metadata: { reason: "Case 42" } });
  });

  it("stops at its budget and the next run continues where the last stopped, until nothing is left", async () => {
    const root = await superAdmin();
    const orgs = [await provision(root), await provision(root)].sort((x, y) => (x.id < y.id ? -1 : 1));
    const now = new Date();
    for (const t of orgs) {
      await addCommands(pooled, await orgFixture(pooled, t.id), daysBefore(now, 200), 12);
      await addAudit(pooled, t.id, daysBefore(now, 400), 5);
    }
    const job = retentionJobOver(orgs.map((t) => t.id));

    const first = await runJob(job, env, { now, budget: 10 });
    expect(first.more).toBe(true);
    expect(first.counts.commands_deleted).toBe(10);
    // It stopped inside the first organization (by id); the second is untouched.
    expect(await countOf(pooled, "command", orgs[0]?.id as string)).toBe(2);
    expect(await countOf(pooled, "command", orgs[1]?.id as string)).toBe(12);

    let deleted = 10;
    let runs = 1;
    for (let last = first; last.more; runs += 1) {
      expect(runs).toBeLessThan(10);
      last = await runJob(job, env, { now, budget: 10 });
      expect(last.error).toBeNull();
      deleted += (last.counts.commands_deleted ?? 0) + (last.counts.audit_events_deleted ?? 0);
    }
    expect(deleted).toBe(34);
    expect(runs).toBe(4);
    for (const t of orgs) {
      expect(await countOf(pooled, "command", t.id)).toBe(0);
      expect(
        await pooled(`select 1 from audit_log where organization_id = $1 and action = 'old-event'`, [t.id]),
      ).toHaveLength(0);
    }
    const rerun = await runJob(job, env, { now, budget: 10 });
    expect(rerun).toMatchObject({ more: false, counts: { organizations: 2, commands_deleted: 0 } });
  });

  it("deletes at most its recording allowance per run (R2 calls are bounded too), then goes on", async () => {
    const t = await provision(await superAdmin());
    const now = new Date();
    const o = await orgFixture(pooled, t.id);
    const recs = [
      await addRecording(pooled, o, daysBefore(now, 120), daysBefore(now, 30), 2),
      await addRecording(pooled, o, daysBefore(now, 110), daysBefore(now, 20), 2),
    ];
    await addCommand(pooled, o, daysBefore(now, 200), "old");
    const job = retentionJobOver([t.id], 1);
    const first = await runJob(job, env, { now });
    expect(first).toMatchObject({ more: true, counts: { recordings_deleted: 1 } });
    expect(await objectsLeft(recs[0]?.keys ?? [])).toBe(0);
    expect(await objectsLeft(recs[1]?.keys ?? [])).toBe(2);
    expect(await countOf(pooled, "command", t.id)).toBe(1);
    let last = first;
    for (let i = 0; last.more && i < 5; i += 1) last = await runJob(job, env, { now });
    expect(last.more).toBe(false);
    expect(await objectsLeft(recs[1]?.keys ?? [])).toBe(0);
    expect(await countOf(pooled, "command", t.id)).toBe(0);
  });

  it("serves a dedicated tenant database like the pooled one", async () => {
    const { username, password } = inject("customerDb");
    const dbName = `retention_${Date.now()}`;
    const t = await provision(await superAdmin(), {
      driverType: "postgresql",
      dbHost: "127.0.0.1",
      dbPort: inject("pgPort"),
      dbName,
      dbUsername: username,
      dbPassword: password,
    });
    const now = new Date();
    const rec = await onDedicated(dbName, async (q) => {
      const o = await orgFixture(q, t.id);
      await addCommand(q, o, daysBefore(now, 181), "old");
      await addCommand(q, o, daysBefore(now, 1), "new");
      return addRecording(q, o, daysBefore(now, 91), daysBefore(now, 1), 2);
    });
    const out = await runJob(retentionJobOver([t.id]), env, { now });
    expect(out.counts).toMatchObject({ organizations: 1, recordings_deleted: 1, commands_deleted: 1 });
    expect(await objectsLeft(rec.keys)).toBe(0);
    await onDedicated(dbName, async (q) => {
      expect(await countOf(q, "command", t.id)).toBe(1);
      expect(await deletedAt(q, rec.id)).not.toBeNull();
      expect(await auditOf(q, t.id, "retention.run")).toHaveLength(1);
    });
  });
});
