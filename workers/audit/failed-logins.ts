// Failed-login auditing with a bound: an unauthenticated client must not be able to grow a trail (and the
// database) without limit, yet nothing of value may be lost. Failures are aggregated:
//  - one row per (account, client address, reason) per minute, its metadata.count, reasons, firstAt and
//    lastAt updated in place (under a transaction-level advisory lock, so concurrent failures never make
//    two rows or lose a count);
//  - at most MAX_ROWS_PER_MINUTE such rows per trail (tenant, or the platform) per minute; past that,
//    every further failure of the minute is counted in ONE summary row (metadata.summary: count, distinct
//    accounts and addresses seen — the first 50 of each — and the reasons).
// So a login flood writes at most MAX_ROWS_PER_MINUTE + 1 rows per minute per trail, whatever its size.
import { and, eq, gte, sql } from "drizzle-orm";
import type { Context } from "hono";
import type { Db } from "../../db/client.ts";
import { loginAttempts } from "../../db/schema/control/auth.ts";
import { platformAuditLog } from "../../db/schema/control/tenants.ts";
import { auditLog } from "../../db/schema/tenant/audit-log.ts";
import type { AppEnv } from "../env.ts";
import { audit, platformAudit } from "./audit.ts";

export const AGGREGATE_WINDOW_MS = 60_000;
export const MAX_ROWS_PER_MINUTE = 30;
const SAMPLE = 50;

export interface FailedLogin {
  email: string;
  reason: string;
  userId: string | null;
  description: string;
  status?: "failure" | "warning";
}

type Trail = { kind: "tenant"; db: Db; tenantId: string } | { kind: "platform"; db: Db };

function minuteStart(now = Date.now()): Date {
  return new Date(now - (now % AGGREGATE_WINDOW_MS));
}

/** Counts one more row of this trail's minute budget; true while within it. */
async function takeRowBudget(c: Context<AppEnv>, trailKey: string, start: Date): Promise<boolean> {
  const [row] = await c.var.db
    .insert(loginAttempts)
    .values({ key: `auditrows:${trailKey}`, windowStart: start, failures: 1 })
    .onConflictDoUpdate({
      target: [loginAttempts.key, loginAttempts.windowStart],
      set: { failures: sql`${loginAttempts.failures} + 1` },
    })
    .returning({ n: loginAttempts.failures });
  return (row?.n ?? 1) <= MAX_ROWS_PER_MINUTE;
}

/** Adds one failure to the row whose metadata.aggKey is `aggKey` in this minute; false if there is none. */
type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

async function bump(tx: Tx, trail: Trail, aggKey: string, start: Date, f: FailedLogin, ip: string) {
  const table = trail.kind === "tenant" ? auditLog : platformAuditLog;
  const m = table.metadata;
  const summary = aggKey.endsWith("|summary");
  const next = sql`${m} || jsonb_build_object(
      'count', coalesce((${m}->>'count')::int, 1) + 1,
      'lastAt', to_jsonb(now()),
      'reasons', coalesce(${m}->'reasons', '{}'::jsonb) || jsonb_build_object(${f.reason}::text, coalesce((${m}->'reasons'->>${f.reason}::text)::int, 0) + 1)
    )${
      summary
        ? sql` || jsonb_build_object(
      'accounts', case when ${m}->'accounts' ? ${f.email}::text or jsonb_array_length(${m}->'accounts') >= ${SAMPLE} then ${m}->'accounts' else ${m}->'accounts' || to_jsonb(${f.email}::text) end,
      'addresses', case when ${m}->'addresses' ? ${ip}::text or jsonb_array_length(${m}->'addresses') >= ${SAMPLE} then ${m}->'addresses' else ${m}->'addresses' || to_jsonb(${ip}::text) end
    )`
        : sql``
    }`;
  const where = [
    sql`${m}->>'aggKey' = ${aggKey}`,
    gte(table.timestamp, start),
    trail.kind === "tenant"
      ? and(eq(auditLog.organizationId, trail.tenantId), eq(auditLog.eventType, "user.login.failed"))
      : eq(platformAuditLog.eventType, "user.login.failed"),
  ];
  const count = sql`coalesce((${m}->>'count')::int, 1) + 1`;
  const description = summary
    ? sql`(${count})::text || ' failed logins past the per-minute audit bound (see metadata)'`
    : sql`(${count})::text || ' failed logins for ' || ${f.email}::text || ' from ' || ${ip || "an unknown address"}::text || ': ' || ${f.reason}::text`;
  const rows = await tx
    .update(table)
    .set({ metadata: next, description })
    .where(and(...where))
    .returning({ id: table.id });
  return rows.length > 0;
}

async function write(c: Context<AppEnv>, trail: Trail, f: FailedLogin, meta: Record<string, unknown>) {
  const base = {
    action: "login",
    status: f.status ?? "failure",
    metadata: { email: f.email, reason: f.reason, count: 1, reasons: { [f.reason]: 1 }, ...meta },
  } as const;
  if (trail.kind === "tenant") {
    await audit(c, { type: "user.login.failed", description: f.description, userId: f.userId, ...base });
  } else {
    await platformAudit(c, {
      type: "user.login.failed",
      description: f.description,
      actorId: f.userId,
      actorEmail: f.email,
      ...base,
    });
  }
}

/** Records a failed login in the request's tenant trail, or the platform's on the platform host. */
export async function auditFailedLogin(c: Context<AppEnv>, f: FailedLogin): Promise<void> {
  const scope = c.var.scope;
  const trail: Trail = scope
    ? { kind: "tenant", db: scope.db, tenantId: scope.tenant.id }
    : { kind: "platform", db: c.var.db };
  const trailKey = trail.kind === "tenant" ? trail.tenantId : "platform";
  const ip = c.var.clientIp ?? "";
  const start = minuteStart();
  const aggKey = `${f.email.toLowerCase()}|${ip}|${f.reason}`;
  const window = { start: start.toISOString(), seconds: AGGREGATE_WINDOW_MS / 1000 };
  try {
    await trail.db.transaction(async (tx) => {
      // One writer per (trail, key, minute): no duplicate row, no lost count.
      await tx.execute(
        sql`select pg_advisory_xact_lock(hashtext(${`${trailKey}|${aggKey}|${start.getTime()}`}))`,
      );
      if (await bump(tx, trail, aggKey, start, f, ip)) return;
      if (await takeRowBudget(c, trailKey, start)) {
        await write(c, trail, f, { aggKey, firstAt: new Date().toISOString(), window });
        return;
      }
      const summaryKey = `${start.getTime()}|summary`;
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`${trailKey}|${summaryKey}`}))`);
      if (await bump(tx, trail, summaryKey, start, f, ip)) return;
      await write(
        c,
        trail,
        { ...f, userId: null, description: "Failed logins past the per-minute audit bound (see metadata)" },
        {
          aggKey: summaryKey,
          summary: true,
          accounts: [f.email],
          addresses: [ip],
          firstAt: new Date().toISOString(),
          window,
        },
      );
    });
  } catch (err) {
    console.error(JSON.stringify({ level: "error", msg: "failed-login audit failed", error: String(err) }));
  }
}
