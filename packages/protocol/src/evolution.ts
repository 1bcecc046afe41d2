// How the wire protocols evolve without breaking a rolling upgrade (edge and agents are upgraded at
// different times). Rules, for the control link and the data socket, both directions:
// - a frame of a type the reader does not know is ignored (counted and logged), never treated as garbage
//   and never a reason to cut the link: a newer peer may send it;
// - unknown fields are stripped by the schemas, so either side may add optional fields;
// - a field's meaning never changes and a required field is never added to an existing frame: a change
//   that cannot be made that way is a new frame type, or waits for PROTOCOL_VERSION to be raised;
// - `hello.protocol` (agent) and `hello.ack.protocol` (edge) carry each side's PROTOCOL_VERSION;
//   absent means 1.
import { MAX_FRAME_BYTES, utf8Length } from "./frame";

export const PROTOCOL_VERSION = 1;

/** Longest frame type name taken seriously; longer ones are garbage. */
const MAX_TYPE_LENGTH = 64;

/**
 * The `t` of a well-formed frame whose type this side does not know, or null (not JSON, not an object,
 * no string `t`, a known type — then it is malformed — or over the size limit). Never throws. Called only
 * after a frame failed its schema, so well-behaved traffic pays nothing for it.
 */
export function unknownFrameType(data: unknown, known: ReadonlySet<string>): string | null {
  if (typeof data !== "string" || data.length > MAX_FRAME_BYTES || utf8Length(data) > MAX_FRAME_BYTES)
    return null;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return null;
  const t = (json as { t?: unknown }).t;
  if (typeof t !== "string" || t.length === 0 || t.length > MAX_TYPE_LENGTH) return null;
  return known.has(t) ? null : t;
}
