// What kind of session a row is (`ssh`, `telnet`, `vnc`, `rdp`, `tunnel`), derived from its public id
// rather than stored: every insert goes through publicIdInsert() with the prefix naming the kind (the
// connection's type for an interactive session, `exec` for a one-shot SSH command, `tunnel` for a TCP
// tunnel), so the prefix already says it for every row ever written and no column (nor migration) is
// needed. This file is the one place that maps prefixes to types and back.
import { z } from "zod";

export const SESSION_TYPES = ["ssh", "telnet", "vnc", "rdp", "tunnel"] as const;
export const SessionType = z
  .enum(SESSION_TYPES)
  .describe("The kind of session: an exec (public id exec-N) is a one-shot SSH command, so `ssh`");
export type SessionType = (typeof SESSION_TYPES)[number];

/** The public-id prefixes of each type: an exec is an SSH session too. */
const PREFIXES: Record<SessionType, readonly string[]> = {
  ssh: ["ssh", "exec"],
  telnet: ["telnet"],
  vnc: ["vnc"],
  rdp: ["rdp"],
  tunnel: ["tunnel"],
};

/** The type of a session from its public id (`telnet-3` → `telnet`); an unknown prefix reads as ssh. */
export function sessionTypeOf(publicId: string): SessionType {
  const dash = publicId.indexOf("-");
  const prefix = dash < 0 ? "" : publicId.slice(0, dash);
  for (const t of SESSION_TYPES) if (PREFIXES[t].includes(prefix)) return t;
  return "ssh";
}

/** The `like` patterns of the public ids of one type, for the list filter. */
export function publicIdPatterns(type: SessionType): string[] {
  return PREFIXES[type].map((p) => `${p}-%`);
}
