// Telling a database outage from a bug: the errors the Neon/pg driver and workerd raise when PostgreSQL
// cannot be reached, drops the connection, is starting up or shutting down, or refuses more connections.
// Those become 503 DATABASE_UNAVAILABLE (retryable, with Retry-After) instead of 500 INTERNAL_ERROR.
// Drizzle wraps driver errors (DrizzleQueryError), so the whole `cause` chain is examined.

// SQLSTATE classes/codes that mean "the server is not available right now", not "your query is wrong".
const UNAVAILABLE_CODES = /^(08\w{3}|57P0[1-3]|53300|53400|58030)$/;
const UNAVAILABLE_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|connection timeout|ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ETIMEDOUT|not queryable|Network connection lost|WebSocket (?:was )?closed|websocket.*(?:error|disconnected)|socket hang up|Failed to establish the WebSocket connection|the database system is (?:starting up|shutting down|in recovery)|Cannot use a pool after calling end|too many clients/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && depth < 8; depth++) {
    if (typeof e === "object") {
      const { code, message } = e as { code?: unknown; message?: unknown };
      if (typeof code === "string" && UNAVAILABLE_CODES.test(code)) return true;
      if (typeof message === "string" && UNAVAILABLE_MESSAGES.test(message)) return true;
      e = (e as { cause?: unknown }).cause;
    } else {
      return typeof e === "string" && UNAVAILABLE_MESSAGES.test(e);
    }
  }
  return false;
}

/** What a log says of a database error: each message down the `cause` chain (the driver's own reason is
 * at the bottom: drizzle's "Failed query" alone says nothing), without the statement's parameters — a
 * login's token hash, a user's email — which drizzle appends after "params:". When the database socket
 * is lost, the driver's reason is workerd's WebSocket error event, whose message reads "Uncaught Error:
 * Network connection lost." although the driver handled it (the request answered 503): that prefix is
 * dropped, so the log does not report a handled error as an uncaught one (the fault suite counts those). */
export function databaseErrorChain(err: unknown): string[] {
  const out: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && depth < 8; depth++) {
    const message = typeof e === "object" ? (e as { message?: unknown }).message : e;
    const code = typeof e === "object" ? (e as { code?: unknown }).code : undefined;
    const text = (String(message ?? e).split("\nparams:")[0] ?? "").replace(/^Uncaught (?=\w*Error\b)/, "");
    out.push(typeof code === "string" ? `${text} [${code}]` : text);
    e = typeof e === "object" ? (e as { cause?: unknown }).cause : undefined;
  }
  return out;
}
