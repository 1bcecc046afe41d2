// /api/audit: the organization's audit trail. GET / (audit:view) pages newest first with an opaque keyset
// cursor; GET /export (audit:export) streams every matching entry as CSV or NDJSON. Filters: type,
// category, user, status, from/to (inclusive). The export is itself audited.

import { Permission } from "@nostromo/permissions";
import { type Context, Hono } from "hono";
import { requirePermission } from "../auth/guard.ts";
import { op } from "../contract/op.ts";
import { Databases } from "../db/databases.ts";
import type { AppEnv } from "../env.ts";
import { readQuery } from "../lib/validate.ts";
import { requestTenant, type TenantContext } from "../tenancy/context.ts";
import { audit } from "./audit.ts";
import { EXPORT_MEDIA, exportStream } from "./export.ts";
import { AuditPage, AuditQuery, ExportQuery } from "./schemas.ts";
import { auditPage } from "./service.ts";

const TAG = "Audit";

/**
 * The export outlives the handler (the body streams after it returns) while the request's pool is closed
 * as soon as the handler is done: the stream gets a pool of its own, ended when the stream ends.
 */
async function streamDb(c: Context<AppEnv>, ctx: TenantContext) {
  const databases = Databases.forRequest(c.env);
  return { db: await databases.tenantDb(ctx.tenant), close: () => databases.close() };
}

export const auditRoutes = new Hono<AppEnv>()
  .get(
    "/",
    op({
      tag: TAG,
      summary: "The organization's audit trail, newest first",
      description:
        "Keyset pages: pass pagination.next_cursor back as ?cursor= for the next page (stable while new events arrive).",
      access: "audit:view",
      query: AuditQuery,
      responses: { 200: AuditPage },
      errors: ["FORBIDDEN", "VALIDATION_ERROR"],
    }),
    requirePermission(Permission.VIEW_AUDIT),
    async (c) => c.json(await auditPage(requestTenant(c), readQuery(c, AuditQuery))),
  )
  .get(
    "/export",
    op({
      tag: TAG,
      summary: "Export every matching audit entry as CSV or NDJSON (streamed)",
      description: "An attachment; CSV cells that would start a spreadsheet formula are prefixed with '.",
      access: "audit:export",
      query: ExportQuery,
      responses: { 200: { media: EXPORT_MEDIA.csv, description: "CSV, or NDJSON with format=ndjson" } },
      errors: ["FORBIDDEN", "VALIDATION_ERROR"],
    }),
    requirePermission(Permission.EXPORT_AUDIT),
    async (c) => {
      const ctx = requestTenant(c);
      const { format, ...filters } = readQuery(c, ExportQuery);
      await audit(c, {
        type: "tenant.data.read",
        action: "audit_export",
        description: `Exported the audit log as ${format.toUpperCase()}`,
        metadata: { format, filters },
      });
      const { db, close } = await streamDb(c, ctx);
      const body = await exportStream({ ...ctx, db }, format, filters, close);
      const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
      return new Response(body, {
        headers: {
          "content-type": EXPORT_MEDIA[format],
          "content-disposition": `attachment; filename="audit-${ctx.tenant.subdomain}-${stamp}.${format}"`,
          "cache-control": "no-store",
          "x-request-id": c.var.requestId,
        },
      });
    },
  );
