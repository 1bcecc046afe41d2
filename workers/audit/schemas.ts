// The contract of the audit trail (/api/audit): the seed's AUDIT_LOG as the API shows it, its filters, the
// keyset page, and the export's formats. Every holder of audit:view sees whole entries (the seed's matrix
// gives it to every predefined role); no secret is ever written into the trail, so none can be shown.
import { z } from "zod";
import { AUDIT_EVENT_TYPES } from "../../db/schema/tenant/enums.ts";
import { Id, Timestamp } from "../contract/schemas.ts";

export const AUDIT_PAGE_MAX = 200;

export const AuditCategory = z.enum(["auth", "connection", "session", "user", "system", "security"]);
export const AuditStatus = z.enum(["success", "failure", "warning"]);

const filtersShape = {
  type: z
    .string()
    .max(2000)
    .transform((s) => s.split(",").map((t) => t.trim()))
    .pipe(z.array(z.enum(AUDIT_EVENT_TYPES)).min(1).max(50))
    .optional()
    .describe("One event type or several, comma-separated"),
  category: AuditCategory.optional(),
  user: Id.optional().describe("The user the event is about or by"),
  status: AuditStatus.optional(),
  from: Timestamp.optional().describe("At or after (inclusive)"),
  to: Timestamp.optional().describe("At or before (inclusive)"),
};
const filtersObject = z.object(filtersShape);
export type AuditFilters = z.output<typeof filtersObject>;

const orderedRange = (q: AuditFilters) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to);
const rangeIssue = { path: ["to"], message: "must not be before from" };

export const AuditQuery = z
  .object({
    ...filtersShape,
    page_size: z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX).default(50),
    cursor: z.string().max(200).optional().describe("pagination.next_cursor of the previous page"),
  })
  .refine(orderedRange, rangeIssue);
export type AuditQuery = z.output<typeof AuditQuery>;

export const ExportFormat = z.enum(["csv", "ndjson"]);

export const ExportQuery = z
  .object({ ...filtersShape, format: ExportFormat })
  .refine(orderedRange, rangeIssue);

export const AuditEntry = z
  .object({
    id: Id,
    /** ISO 8601 in UTC with PostgreSQL's microseconds. */
    timestamp: Timestamp,
    event_type: z.enum(AUDIT_EVENT_TYPES),
    event_category: AuditCategory,
    action: z.string(),
    status: AuditStatus,
    user_id: Id.nullable(),
    user_email: z.string().nullable(),
    session_id: Id.nullable(),
    connection_id: Id.nullable(),
    ip_address: z.string(),
    user_agent: z.string(),
    description: z.string(),
    error_message: z.string().nullable(),
    /** What the event recorded, as its writer recorded it. */
    metadata: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "AuditEntry" });
export type AuditEntry = z.infer<typeof AuditEntry>;

/** The export's columns, in the CSV header's order: every field of an entry. */
export const AUDIT_COLUMNS = Object.keys(AuditEntry.shape) as (keyof AuditEntry)[];

/** A keyset page: newest first; `next_cursor` is null on the last page. */
export const AuditPage = z
  .object({
    data: z.array(AuditEntry),
    pagination: z.object({ page_size: z.number().int().min(1), next_cursor: z.string().nullable() }),
  })
  .meta({ id: "AuditPage" });
