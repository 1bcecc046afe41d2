// Input validation at the edge: JSON bodies, query strings and path ids through zod, failing with the
// error model's INVALID_JSON / VALIDATION_ERROR / UNSUPPORTED_MEDIA_TYPE.
import type { Context } from "hono";
import { z } from "zod";
import { ApiError, zodDetails } from "../errors.ts";

export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const type = c.req.header("content-type") ?? "";
  // Requiring application/json also keeps cross-site "simple" form posts out (CSRF defence in depth).
  if (!/^application\/json\b/i.test(type.trim())) {
    throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
  }
  const text = await c.req.text();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ApiError("INVALID_JSON", "Request body is not valid JSON");
  }
  return check(schema, raw, "Request body failed validation");
}

export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return check(schema, c.req.query(), "Query parameters failed validation");
}

export function check<S extends z.ZodType>(schema: S, value: unknown, message: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ApiError("VALIDATION_ERROR", message, zodDetails(r.error));
  return r.data;
}

const uuid = z.uuid();

/** A path id that must be a UUID; anything else is simply not found (no leak of what exists). */
export function idParam(c: Context, name = "id"): string {
  const value = c.req.param(name);
  if (!uuid.safeParse(value).success) throw new ApiError("NOT_FOUND", `No such ${name}`);
  return value as string;
}
