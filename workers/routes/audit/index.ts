// /api/audit: the organization's audit trail. GET / (VIEW_AUDIT) pages newest first with an opaque keyset
// cursor over (timestamp, id); GET /export (EXPORT_AUDIT) streams every matching row as CSV or NDJSON,
// reading PostgreSQL 500 rows at a time while the client downloads. Filters: type, category, user,
// status, from/to (inclusive). The export is itself audited.

import { decodeBase64, encodeBase64Url } from "@nostromo/crypto";
import { Permission } from "@nostromo/permissions";
import { and, desc, eq, gte, inArray, lte, type SQL, sql } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { Db } from "../../../db/client.ts";
import { auditLog } from "../../../db/schema/tenant/audit-log.ts";
import { AUDIT_EVENT_TYPES } from "../../../db/schema/tenant/enums.ts";
import { user } from "../../../db/schema/tenant/user.ts";
import { audit } from "../../audit/audit.ts";
import { csvLine } from "../../audit/csv.ts";
import { requirePermission } from "../../auth/guard.ts";
import { Databases } from "../../db/databases.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { readQuery } from "../../lib/validate.ts";
import type { TenantScope } from "../../tenancy/scope.ts";

export const AUDIT_PAGE_MAX = 200;
export const EXPORT_BATCH = 500;

const ISO = z.iso.datetime({ offset: true });

const filtersShape = {
  type: z
    .string()
    .max(2000)
    .transform((s) => s.split(",").map((t) => t.trim()))
    .pipe(z.array(z.enum(AUDIT_EVENT_TYPES)).min(1).max(50))
    .optional(),
  category: z.enum(["auth", "connection", "session", "user", "system", "security"]).optional(),
  user: z.uuid().optional(),
  status: z.enum(["success", "failure", "warning"]).optional(),
  from: ISO.optional(),
  to: ISO.optional(),
};
const filtersObject = z.object(filtersShape);
type Filters = z.output<typeof filtersObject>;

const orderedRange = (q: Filters) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to);
const rangeIssue = { path: ["to"], message: "must not be before from" };

const listQuery = z
  .object({
    ...filtersShape,
    limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX).default(50),
    cursor: z.string().max(200).optional(),
  })
  .refine(orderedRange, rangeIssue);

const exportQuery = z
  .object({ ...filtersShape, format: z.enum(["csv", "ndjson"]) })
  .refine(orderedRange, rangeIssue);

interface Cursor {
  ts: string;
  id: string;
}

const cursorShape = z.tuple([z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/), z.uuid()]);

function encodeCursor(c: Cursor): string {
  return encodeBase64Url(new TextEncoder().encode(JSON.stringify([c.ts, c.id])));
}

function decodeCursor(text: string): Cursor {
  try {
    const bytes = decodeBase64(text);
    if (!bytes) throw new Error("not base64");
    const [ts, id] = cursorShape.parse(JSON.parse(new TextDecoder().decode(bytes)));
    return { ts, id };
  } catch {
    throw new ApiError("VALIDATION_ERROR", "Query parameters failed validation", {
      fields: [{ path: "cursor", message: "not a cursor this API handed out", code: "custom" }],
    });
  }
}

// Microsecond precision, in UTC: the cursor must name a row exactly, and JavaScript dates stop at ms.
const tsText = sql<string>`to_char(${auditLog.timestamp} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

function rowsQuery(db: Db, tenantId: string, f: Filters, after: Cursor | null, limit: number) {
  const where: (SQL | undefined)[] = [
    eq(auditLog.organizationId, tenantId),
    f.type ? inArray(auditLog.eventType, f.type) : undefined,
    f.category ? eq(auditLog.eventCategory, f.category) : undefined,
    f.user ? eq(auditLog.userId, f.user) : undefined,
    f.status ? eq(auditLog.status, f.status) : undefined,
    // Compared in PostgreSQL: a JavaScript Date would cut the cursor's microseconds off.
    f.from ? gte(auditLog.timestamp, sql`${f.from}::timestamptz`) : undefined,
    f.to ? lte(auditLog.timestamp, sql`${f.to}::timestamptz`) : undefined,
    after
      ? sql`(${auditLog.timestamp}, ${auditLog.id}) < (${after.ts}::timestamptz, ${after.id}::uuid)`
      : undefined,
  ];
  return db
    .select({
      id: auditLog.id,
      timestamp: tsText,
      event_type: auditLog.eventType,
      event_category: auditLog.eventCategory,
      action: auditLog.action,
      status: auditLog.status,
      user_id: auditLog.userId,
      user_email: user.email,
      session_id: auditLog.sessionId,
      connection_id: auditLog.connectionId,
      ip_address: auditLog.ipAddress,
      user_agent: auditLog.userAgent,
      description: auditLog.description,
      error_message: auditLog.errorMessage,
      metadata: auditLog.metadata,
    })
    .from(auditLog)
    .leftJoin(user, and(eq(user.id, auditLog.userId), eq(user.organizationId, tenantId)))
    .where(and(...where))
    .orderBy(desc(auditLog.timestamp), desc(auditLog.id))
    .limit(limit);
}

type AuditRow = Awaited<ReturnType<typeof rowsQuery>>[number];

const CSV_COLUMNS = [
  "id",
  "timestamp",
  "event_type",
  "event_category",
  "action",
  "status",
  "user_id",
  "user_email",
  "session_id",
  "connection_id",
  "ip_address",
  "user_agent",
  "description",
  "error_message",
  "metadata",
] as const satisfies readonly (keyof AuditRow)[];

function tenantOf(c: Context<AppEnv>): TenantScope {
  const scope = c.var.scope;
  if (!scope) throw new ApiError("TENANT_NOT_FOUND", "Name a tenant by subdomain, X-Tenant-ID or ?tenantId=");
  return scope;
}

/**
 * The export outlives the handler (the body streams after it returns) while the request's pool is closed
 * as soon as the handler is done: the stream gets a pool of its own, ended when the stream ends.
 */
async function streamDb(c: Context<AppEnv>, scope: TenantScope) {
  const databases = Databases.forRequest(c.env);
  return { db: await databases.tenantDb(scope.tenant), close: () => databases.close() };
}

export const auditRoutes = new Hono<AppEnv>()
  .get("/", requirePermission(Permission.VIEW_AUDIT), async (c) => {
    const { db, tenant } = tenantOf(c);
    const q = readQuery(c, listQuery);
    const after = q.cursor ? decodeCursor(q.cursor) : null;
    const rows = await rowsQuery(db, tenant.id, q, after, q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return c.json({
      data: page,
      nextCursor: rows.length > q.limit && last ? encodeCursor({ ts: last.timestamp, id: last.id }) : null,
    });
  })

  .get("/export", requirePermission(Permission.EXPORT_AUDIT), async (c) => {
    const scope = tenantOf(c);
    const { format, ...filters } = readQuery(c, exportQuery);
    await audit(c, {
      type: "tenant.data.read",
      action: "audit_export",
      description: `Exported the audit log as ${format.toUpperCase()}`,
      metadata: { format, filters },
    });
    const { db, close } = await streamDb(c, scope);
    const encoder = new TextEncoder();
    let after: Cursor | null = null;
    let started = false;
    let done = false;
    const finish = async () => {
      if (done) return;
      done = true;
      await close();
    };
    // The first batch is read before answering: a query that fails (the database down, say) is then a
    // proper error status, not a 200 whose body breaks off and leaves the client waiting.
    let first: Awaited<ReturnType<typeof rowsQuery>> | null;
    try {
      first = await rowsQuery(db, scope.tenant.id, filters, null, EXPORT_BATCH);
    } catch (err) {
      await finish();
      throw err;
    }
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          let out = "";
          if (!started && format === "csv") out += csvLine(CSV_COLUMNS);
          started = true;
          const rows = first ?? (await rowsQuery(db, scope.tenant.id, filters, after, EXPORT_BATCH));
          first = null;
          for (const r of rows) {
            out += format === "csv" ? csvLine(CSV_COLUMNS.map((k) => r[k])) : `${JSON.stringify(r)}\n`;
          }
          const last = rows[rows.length - 1];
          if (last) after = { ts: last.timestamp, id: last.id };
          if (out) controller.enqueue(encoder.encode(out));
          if (rows.length < EXPORT_BATCH) {
            controller.close();
            await finish();
          }
        } catch (err) {
          console.error(JSON.stringify({ level: "error", msg: "audit export failed", error: String(err) }));
          controller.error(err);
          await finish();
        }
      },
      async cancel() {
        await finish();
      },
    });
    const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
    return new Response(body, {
      headers: {
        "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
        "content-disposition": `attachment; filename="audit-${scope.tenant.subdomain}-${stamp}.${format}"`,
        "cache-control": "no-store",
        "x-request-id": c.var.requestId,
      },
    });
  });
