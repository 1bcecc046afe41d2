// Frame-level helpers shared by every wire schema: the size limit and a parse that never throws.
// Runs in workerd and in Node, so it uses only zod and web-standard globals (no node:*, no Buffer).
import type { z } from "zod";

/** Largest JSON text frame either side accepts (bytes of UTF-8). Bigger frames are rejected unparsed. */
export const MAX_FRAME_BYTES = 256 * 1024;

export type ParseResult<T> = { ok: true; msg: T } | { ok: false; error: string };

const encoder = new TextEncoder();

export function utf8Length(text: string): number {
  return encoder.encode(text).byteLength;
}

/** Skips encoding when the answer is obvious: one UTF-16 unit is 1–3 bytes of UTF-8. */
function tooLarge(text: string): boolean {
  if (text.length > MAX_FRAME_BYTES) return true;
  if (text.length * 3 <= MAX_FRAME_BYTES) return false;
  return utf8Length(text) > MAX_FRAME_BYTES;
}

function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid frame";
  const path = issue.path.length > 0 ? issue.path.map(String).join(".") : "(root)";
  const more = error.issues.length > 1 ? ` (+${error.issues.length - 1} more)` : "";
  return `${path}: ${issue.message}${more}`;
}

/**
 * Parses one text frame against a schema. Accepts `unknown` because a socket may hand over binary
 * data where text was expected; every failure is a value, never an exception, so a hostile peer
 * cannot crash the reader.
 */
export function parseFrame<S extends z.ZodType>(schema: S, data: unknown): ParseResult<z.output<S>> {
  if (typeof data !== "string") return { ok: false, error: "expected a text frame" };
  if (tooLarge(data)) return { ok: false, error: `frame larger than ${MAX_FRAME_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, error: "frame is not valid JSON" };
  }
  const result = schema.safeParse(json);
  if (!result.success) return { ok: false, error: describeIssues(result.error) };
  return { ok: true, msg: result.data };
}
