// Structured JSON-lines logging to stdout: {"ts","level","msg",...fields}. Every field goes through
// redact() first, so a password, private key or token handed to the logger by mistake never leaves.

import { REDACTED, Secret } from "@nostromo/crypto";
import type { LogLevel } from "./config";

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. the session id). */
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Field names whose values are secrets whatever they contain. */
const SECRET_KEY =
  /(password|passphrase|passwd|secret|token|private_?key|mark_?key|pkcs8|authorization|signature|cookie|^auth$)/i;
const PEM_PRIVATE_KEY =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
const BEARER = /\b(Bearer|Basic)\s+[^\s"',;]+/gi;
const MAX_DEPTH = 6;

function redactString(text: string): string {
  return text.replace(PEM_PRIVATE_KEY, "[REDACTED PRIVATE KEY]").replace(BEARER, `$1 ${REDACTED}`);
}

/**
 * Returns a JSON-safe copy of `value` with secrets replaced: values under secret-looking keys,
 * PEM private key blocks and bearer credentials anywhere in strings, and Secret instances.
 */
export function redact(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === "string") return redactString(value);
  if (value === null || typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object") return undefined;
  if (value instanceof Secret) return REDACTED;
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (seen.has(value)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[Truncated]";
  seen.add(value);
  if (value instanceof Error) {
    const err = value as Error & { code?: unknown; level?: unknown };
    const out: LogFields = { name: err.name, message: redactString(err.message) };
    if (err.code !== undefined) out.code = redact(err.code, depth + 1, seen);
    if (err.level !== undefined) out.level = redact(err.level, depth + 1, seen);
    // fetch() and friends put the useful part (ECONNREFUSED…) in `cause`.
    if (err.cause !== undefined) out.cause = redact(err.cause, depth + 1, seen);
    return out;
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen));
  const out: LogFields = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      SECRET_KEY.test(key) && item !== undefined && item !== null ? REDACTED : redact(item, depth + 1, seen);
  }
  return out;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; stdout by default (tests capture them). */
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions, base: LogFields = {}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const threshold = RANK[options.level];
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[level] < threshold) return;
    const extra = redact({ ...base, ...fields }) as LogFields;
    delete extra.ts;
    delete extra.level;
    delete extra.msg;
    write(`${JSON.stringify({ ts: new Date().toISOString(), level, msg: redactString(msg), ...extra })}\n`);
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}
