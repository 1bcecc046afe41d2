// TOTP (RFC 6238) with otpauth: enrolment URI, verification with a ±1 step window, recovery codes.

import { randomToken, sha256Hex } from "@nostromo/crypto";
import * as OTPAuth from "otpauth";

export const ISSUER = "Nostromo";

export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

function totp(secret: string, label: string) {
  return new OTPAuth.TOTP({
    issuer: ISSUER,
    label,
    algorithm: "SHA1",
    digits: 6,
    period: 30,
    secret: OTPAuth.Secret.fromBase32(secret),
  });
}

export function otpauthUri(secret: string, label: string): string {
  return totp(secret, label).toString();
}

export function verifyTotp(secret: string, code: string, label = "user"): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  return totp(secret, label).validate({ token: code, window: 1 }) !== null;
}

/** Ten one-time recovery codes: the plain ones (shown once) and their hashes (stored). */
export async function newRecoveryCodes(): Promise<{ plain: string[]; hashed: string[] }> {
  const plain = Array.from({ length: 10 }, () => randomToken(8).slice(0, 10).toLowerCase());
  return { plain, hashed: await Promise.all(plain.map((c) => sha256Hex(`recovery:${c}`))) };
}

export function hashRecoveryCode(code: string): Promise<string> {
  return sha256Hex(`recovery:${code.trim().toLowerCase()}`);
}
