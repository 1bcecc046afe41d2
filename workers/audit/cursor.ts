// The audit list's keyset cursor: an opaque base64url of [timestamp, id] naming the last row handed out.
// Keyset, not page numbers: the trail grows while someone pages through it (newest first), and an offset
// would then show rows twice; (timestamp, id) never moves. The timestamp keeps PostgreSQL's microseconds
// (JavaScript dates stop at milliseconds), so the cursor names a row exactly.

import { decodeBase64, encodeBase64Url } from "@nostromo/crypto";
import { z } from "zod";
import { ApiError } from "../errors.ts";

export interface Cursor {
  ts: string;
  id: string;
}

const cursorShape = z.tuple([z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/), z.uuid()]);

export function encodeCursor(c: Cursor): string {
  return encodeBase64Url(new TextEncoder().encode(JSON.stringify([c.ts, c.id])));
}

/** The cursor, or 400 VALIDATION_ERROR on the `cursor` field for anything this API did not hand out. */
export function decodeCursor(text: string): Cursor {
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
