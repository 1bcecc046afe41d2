// The contract's shared shapes: ids, timestamps, the one pagination shape every list answers with, and the
// error body. JSON fields are snake_case as in the seed's data model (except the orchestrator seed's own
// request/response examples, kept verbatim where they are served).
import { z } from "zod";
import { ErrorCode } from "../errors.ts";

export const Id = z.uuid();
/** A timestamp as JSON carries it: ISO 8601 with an offset (Date#toJSON gives `…Z`). */
export const Timestamp = z.iso.datetime({ offset: true });

export const iso = (d: Date): string => d.toISOString();
export const isoOrNull = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** `?page=&page_size=`: 1-based pages of at most 200 items. */
export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  page_size: z.coerce.number().int().min(1).max(200).default(50),
});
export type PageQuery = z.output<typeof pageQuery>;

export const pageOffset = (q: PageQuery): number => (q.page - 1) * q.page_size;

export const Pagination = z.object({
  page: z.number().int().min(1),
  page_size: z.number().int().min(1),
  total: z.number().int().min(0),
});

/** The one list shape: `{ data: [...], pagination: { page, page_size, total } }`. */
export function pageOf<T>(q: PageQuery, data: T[], total: number | undefined) {
  return { data, pagination: { page: q.page, page_size: q.page_size, total: total ?? 0 } };
}

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), pagination: Pagination });

export const ErrorCodeSchema = z.enum(
  Object.keys(ErrorCode) as [keyof typeof ErrorCode, ...(keyof typeof ErrorCode)[]],
);

export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: ErrorCodeSchema,
      message: z.string(),
      request_id: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: "Error" });

/** `{ ok: true }` — what an action with nothing else to say answers. */
export const Ok = z.object({ ok: z.literal(true) });
