// Opaque credentials: login cookies (sid), API tokens and one-time tokens are random, stored only as
// SHA-256 hashes. The CSRF token is derived from the sid, so it needs no storage and cannot be forged
// without the HttpOnly cookie.
import { randomToken, sha256Hex } from "@nostromo/crypto";

export const API_TOKEN_PREFIX = "nst_";

export function newSid(): string {
  return randomToken(32);
}

export function newApiToken(): string {
  return `${API_TOKEN_PREFIX}${randomToken(32)}`;
}

export function hashToken(token: string): Promise<string> {
  return sha256Hex(token);
}

export function csrfTokenFor(sid: string): Promise<string> {
  return sha256Hex(`nostromo-csrf:${sid}`);
}
