// A deadline for every request: whatever it waits on (a database that accepts the connection and then
// never answers, an agent that stays silent), the caller gets an answer — 503 REQUEST_TIMEOUT with
// Retry-After — within a bounded time. Routes that legitimately wait longer (an exec bounded by its own
// timeout_ms, provisioning a dedicated database, opening a live session) have their own bound here, so the
// whole policy is in one table.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";

export const REQUEST_DEADLINE_MS = 25_000;

/** Longer bounds: method + path pattern → milliseconds. */
export const LONGER_DEADLINES: { method: string; path: RegExp; ms: number }[] = [
  // exec's timeout_ms is at most 300 s, plus the agent link's grace and the writes.
  { method: "POST", path: /^\/api\/connections\/[^/]+\/exec$/, ms: 330_000 },
  { method: "POST", path: /^\/api\/admin\/tenants\/provision$/, ms: 120_000 },
  { method: "POST", path: /^\/api\/remote-sessions$/, ms: 45_000 },
];

export function deadlineFor(method: string, path: string): number {
  return LONGER_DEADLINES.find((d) => d.method === method && d.path.test(path))?.ms ?? REQUEST_DEADLINE_MS;
}

export const deadline = (boundFor: (method: string, path: string) => number = deadlineFor) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const ms = boundFor(c.req.method, c.req.path);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        console.error(
          JSON.stringify({
            level: "error",
            msg: "request deadline exceeded",
            requestId: c.var.requestId,
            method: c.req.method,
            path: c.req.path,
            ms,
          }),
        );
        reject(
          new ApiError(
            "REQUEST_TIMEOUT",
            `The request did not complete within ${Math.round(ms / 1000)} s; try again`,
            { timeoutMs: ms },
            { "Retry-After": "5" },
          ),
        );
      }, ms);
    });
    try {
      await Promise.race([next(), expired]);
    } finally {
      clearTimeout(timer);
    }
  });
