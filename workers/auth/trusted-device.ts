// "This caller signed in to this account before": what lets the owner through while the account is under a
// distributed brute-force attack (workers/auth/throttle.ts, the account-wide bound). Two signals:
//  - a device cookie `ndev` set at a successful login: a random nonce and an HMAC over (nonce, account)
//    keyed by a key derived from the master key — unforgeable, stateless, for the last account signed in
//    on that browser, 30 days;
//  - the client address had a successful login of the account in the last 30 days (auth.user_sessions).
// Neither one skips a password check; they only exempt the caller from the account-wide throttle.

import { encodeBase64Url, randomToken, timingSafeEqual } from "@nostromo/crypto";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { userSessions } from "../../db/schema/control/auth.ts";
import type { AppEnv } from "../env.ts";

export const DEVICE_COOKIE = "ndev";
export const TRUST_DAYS = 30;

const keys = new Map<string, Promise<CryptoKey>>();

function macKey(master: string): Promise<CryptoKey> {
  let k = keys.get(master);
  if (!k) {
    k = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(`nostromo-trusted-device:${master}`),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    keys.set(master, k);
  }
  return k;
}

async function mac(c: Context<AppEnv>, nonce: string, scope: string, email: string): Promise<string> {
  const sig = await crypto.subtle.sign(
    "HMAC",
    await macKey(c.env.DB_ENCRYPTION_KEY),
    new TextEncoder().encode(`${nonce}:${scope}:${email.toLowerCase()}`),
  );
  return encodeBase64Url(new Uint8Array(sig));
}

/** Marks this browser as a known device of the account (after a successful login). */
export async function trustDevice(c: Context<AppEnv>, scope: string, email: string): Promise<void> {
  const nonce = randomToken(16);
  setCookie(c, DEVICE_COOKIE, `${nonce}.${await mac(c, nonce, scope, email)}`, {
    httpOnly: true,
    sameSite: "Lax",
    secure: c.env.ENVIRONMENT !== "development",
    path: "/api/auth",
    maxAge: TRUST_DAYS * 86_400,
  });
}

/** Whether the caller is a known device or address of the account. */
export async function isTrustedCaller(c: Context<AppEnv>, scope: string, email: string): Promise<boolean> {
  const cookie = getCookie(c, DEVICE_COOKIE);
  if (cookie && cookie.length < 200) {
    const [nonce, sent] = cookie.split(".");
    if (nonce && sent && timingSafeEqual(sent, await mac(c, nonce, scope, email))) return true;
  }
  const ip = c.var.clientIp;
  if (!ip) return false;
  const [known] = await c.var.db
    .select({ one: sql<number>`1` })
    .from(userSessions)
    .where(
      and(
        eq(userSessions.email, email.toLowerCase()),
        scope === "platform" ? isNull(userSessions.tenantId) : eq(userSessions.tenantId, scope),
        eq(userSessions.ipAddress, ip),
        gt(userSessions.createdAt, sql`now() - make_interval(days => ${TRUST_DAYS})`),
      ),
    )
    .limit(1);
  return Boolean(known);
}
