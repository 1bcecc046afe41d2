// GET /api/audit/export's body: every matching entry as CSV or NDJSON, streamed while the client downloads,
// reading PostgreSQL EXPORT_BATCH rows at a time along the same keyset as the list (so ties on the
// timestamp are neither lost nor repeated across batches). The first batch is read before answering: a
// query that fails (the database down, say) is then a proper error status, not a 200 whose body breaks
// off and leaves the client waiting.
import type { TenantContext } from "../tenancy/context.ts";
import { csvLine } from "./csv.ts";
import type { Cursor } from "./cursor.ts";
import { AUDIT_COLUMNS, type AuditEntry, type AuditFilters } from "./schemas.ts";
import { auditBatch } from "./service.ts";

export const EXPORT_BATCH = 500;

export const EXPORT_MEDIA = { csv: "text/csv; charset=utf-8", ndjson: "application/x-ndjson; charset=utf-8" };

const line = (format: "csv" | "ndjson", e: AuditEntry) =>
  format === "csv" ? csvLine(AUDIT_COLUMNS.map((k) => e[k])) : `${JSON.stringify(e)}\n`;

/**
 * The export stream over `ctx.db`; `finish` runs once when the stream ends, fails or is cancelled (the
 * caller closes the database the stream reads from there).
 */
export async function exportStream(
  ctx: TenantContext,
  format: "csv" | "ndjson",
  filters: AuditFilters,
  finish: () => Promise<void>,
): Promise<ReadableStream<Uint8Array>> {
  let done = false;
  const end = async () => {
    if (done) return;
    done = true;
    await finish();
  };
  let first: AuditEntry[] | null;
  try {
    first = await auditBatch(ctx, filters, null, EXPORT_BATCH);
  } catch (err) {
    await end();
    throw err;
  }
  const encoder = new TextEncoder();
  let after: Cursor | null = null;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        let out = !started && format === "csv" ? csvLine(AUDIT_COLUMNS) : "";
        started = true;
        const rows = first ?? (await auditBatch(ctx, filters, after, EXPORT_BATCH));
        first = null;
        for (const e of rows) out += line(format, e);
        const last = rows[rows.length - 1];
        if (last) after = { ts: last.timestamp, id: last.id };
        if (out) controller.enqueue(encoder.encode(out));
        if (rows.length < EXPORT_BATCH) {
          controller.close();
          await end();
        }
      } catch (err) {
        console.error(JSON.stringify({ level: "error", msg: "audit export failed", error: String(err) }));
        controller.error(err);
        await end();
      }
    },
    async cancel() {
      await end();
    },
  });
}
