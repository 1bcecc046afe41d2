// Reads the data-model seed (docs/seeds/trident-sra-data-model.md, a verbatim copy of the specification)
// into entities, fields, enums and indexes, so the schema test compares the database with the seed itself.
import { readFileSync } from "node:fs";

export interface SeedField {
  name: string;
  type: string;
  optional: boolean;
}
export interface SeedIndex {
  name: string;
  table: string;
  columns: string[];
  where: string | null;
  desc: boolean;
}

export const ENTITY_TABLES: Record<string, string> = {
  User: "user",
  Role: "role",
  Organization: "organization",
  Connection: "connection",
  SSHKey: "ssh_key",
  Session: "session",
  SessionViewer: "session_viewer",
  Command: "command",
  Policy: "policy",
  BlockedCommand: "blocked_command",
  SessionRecording: "session_recording",
  AuditLog: "audit_log",
};

export function loadSeed(path = "docs/seeds/trident-sra-data-model.md") {
  const text = readFileSync(path, "utf8");
  const interfaces = new Map<string, SeedField[]>();
  for (const m of text.matchAll(/interface (\w+) \{([\s\S]*?)\n\}/g)) {
    const fields: SeedField[] = [];
    for (const line of (m[2] ?? "").split("\n")) {
      const f = /^\s*(\w+)(\?)?:\s*([^/]+?)\s*(\/\/.*)?$/.exec(line);
      if (f?.[1] && f[3]) fields.push({ name: f[1], optional: f[2] === "?", type: f[3].trim() });
    }
    interfaces.set(m[1] ?? "", fields);
  }
  const enums = new Map<string, string[]>();
  for (const m of text.matchAll(/enum (\w+) \{([\s\S]*?)\n\}/g)) {
    enums.set(
      m[1] ?? "",
      [...(m[2] ?? "").matchAll(/=\s*"([^"]+)"/g)].map((v) => v[1] ?? ""),
    );
  }
  const indexes: SeedIndex[] = [];
  for (const m of text.matchAll(/CREATE INDEX (\w+) ON (\w+)\(([^)]*)\)(?: WHERE ([^;]+))?;/g)) {
    const cols = (m[3] ?? "").split(",").map((c) => c.trim());
    indexes.push({
      name: m[1] ?? "",
      table: m[2] ?? "",
      columns: cols.map((c) => c.replace(/\s+DESC$/i, "")),
      desc: cols.some((c) => /\sDESC$/i.test(c)),
      where: m[4]?.trim() ?? null,
    });
  }
  return { interfaces, enums, indexes };
}

/** The literal values of a union type such as `"free" | "pro" | "enterprise"`, or null. */
export function unionValues(type: string): string[] | null {
  const parts = type.split("|").map((p) => p.trim());
  if (parts.length < 2 || !parts.every((p) => /^"[^"]+"$/.test(p))) return null;
  return parts.map((p) => p.slice(1, -1));
}
