// Brute-force throttling of logins: failures counted per account and per client IP in fixed 15-minute
// windows (auth.login_attempts); over the limit, logins answer 429 RATE_LIMITED with Retry-After.
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { loginAttempts } from "../../db/schema/control/auth.ts";
import { ApiError } from "../errors.ts";

export const WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_IP = 20;

function windowStart(now = Date.now()): Date {
  return new Date(now - (now % WINDOW_MS));
}

export function throttleKeys(scope: string, email: string, ip: string): { key: string; max: number }[] {
  const keys = [{ key: `acct:${scope}:${email.toLowerCase()}`, max: MAX_FAILURES_PER_ACCOUNT }];
  if (ip) keys.push({ key: `ip:${ip}`, max: MAX_FAILURES_PER_IP });
  return keys;
}

export async function assertNotThrottled(db: Db, keys: { key: string; max: number }[]): Promise<void> {
  const start = windowStart();
  for (const { key, max } of keys) {
    const [row] = await db
      .select({ failures: loginAttempts.failures })
      .from(loginAttempts)
      .where(and(eq(loginAttempts.key, key), eq(loginAttempts.windowStart, start)));
    if ((row?.failures ?? 0) >= max) {
      const retry = Math.ceil((start.getTime() + WINDOW_MS - Date.now()) / 1000);
      throw new ApiError(
        "RATE_LIMITED",
        "Too many failed logins; try again later",
        { retryAfterSeconds: retry, scope: key.startsWith("ip:") ? "ip" : "account" },
        { "Retry-After": String(retry) },
      );
    }
  }
}

export async function recordFailure(db: Db, keys: { key: string }[]): Promise<void> {
  const start = windowStart();
  for (const { key } of keys) {
    await db
      .insert(loginAttempts)
      .values({ key, windowStart: start, failures: 1 })
      .onConflictDoUpdate({
        target: [loginAttempts.key, loginAttempts.windowStart],
        set: { failures: sql`${loginAttempts.failures} + 1` },
      });
  }
}

export async function clearFailures(db: Db, accountKey: string): Promise<void> {
  await db.delete(loginAttempts).where(eq(loginAttempts.key, accountKey));
}
