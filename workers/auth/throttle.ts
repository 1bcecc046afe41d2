// Brute-force throttling of logins that slows the attacker without locking the owner out. Failures are
// counted in fixed 15-minute windows (auth.login_attempts) under three keys:
//   account × IP  (5)   — one address guessing one account: that address is refused, nobody else;
//   IP            (20)  — one address spraying many accounts;
//   account       (50)  — a distributed attack on one account: callers the account does not know are
//                         refused, but a trusted caller (a device cookie from an earlier successful
//                         login, or an address the account signed in from in the last 30 days) passes.
// Over a limit the login answers 429 RATE_LIMITED with Retry-After and details.scope. An Admin can clear
// an account's counters (POST /api/users/:id/unlock).
import { and, eq, like, or, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { loginAttempts } from "../../db/schema/control/auth.ts";
import { ApiError } from "../errors.ts";

export const WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_ACCOUNT_IP = 5;
export const MAX_FAILURES_PER_IP = 20;
export const MAX_FAILURES_PER_ACCOUNT = 50;

export type ThrottleScope = "account_ip" | "ip" | "account";

export interface ThrottleKey {
  key: string;
  max: number;
  scope: ThrottleScope;
}

function windowStart(now = Date.now()): Date {
  return new Date(now - (now % WINDOW_MS));
}

function accountKey(scope: string, email: string): string {
  return `acct:${scope}:${email.toLowerCase()}`;
}

/** `scope` is the tenant id, or "platform" for super admins. */
export function throttleKeys(scope: string, email: string, ip: string): ThrottleKey[] {
  const account = accountKey(scope, email);
  const keys: ThrottleKey[] = [];
  if (ip) {
    keys.push({
      key: `acctip:${scope}:${email.toLowerCase()}:${ip}`,
      max: MAX_FAILURES_PER_ACCOUNT_IP,
      scope: "account_ip",
    });
    keys.push({ key: `ip:${ip}`, max: MAX_FAILURES_PER_IP, scope: "ip" });
  }
  // Without an address every caller looks alike: the account-wide bound is all there is, so it is the
  // strict one.
  keys.push({
    key: account,
    max: ip ? MAX_FAILURES_PER_ACCOUNT : MAX_FAILURES_PER_ACCOUNT_IP,
    scope: "account",
  });
  return keys;
}

/** Throws 429 when a key is over its limit; `trusted` callers skip the account-wide bound. */
export async function assertNotThrottled(db: Db, keys: ThrottleKey[], trusted = false): Promise<void> {
  const start = windowStart();
  for (const { key, max, scope } of keys) {
    if (trusted && scope === "account") continue;
    const [row] = await db
      .select({ failures: loginAttempts.failures })
      .from(loginAttempts)
      .where(and(eq(loginAttempts.key, key), eq(loginAttempts.windowStart, start)));
    if ((row?.failures ?? 0) >= max) {
      const retry = Math.ceil((start.getTime() + WINDOW_MS - Date.now()) / 1000);
      throw new ApiError(
        "RATE_LIMITED",
        "Too many failed logins; try again later",
        { retry_after_seconds: retry, scope },
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

/** After a successful login: this address's count for the account starts again (the others stay). */
export async function clearFailures(db: Db, keys: ThrottleKey[]): Promise<void> {
  const mine = keys.find((k) => k.scope === "account_ip");
  if (mine) await db.delete(loginAttempts).where(eq(loginAttempts.key, mine.key));
}

/** An Admin's unlock: every counter of the account (all addresses and the account-wide one). */
export async function unlockAccount(db: Db, scope: string, email: string): Promise<number> {
  const lower = email.toLowerCase();
  const pattern = `acctip:${scope}:${lower.replace(/[\\%_]/g, (ch) => `\\${ch}`)}:%`;
  const rows = await db
    .delete(loginAttempts)
    .where(or(eq(loginAttempts.key, accountKey(scope, lower)), like(loginAttempts.key, pattern)))
    .returning({ failures: loginAttempts.failures });
  return rows.reduce((n, r) => n + r.failures, 0);
}
