// The zod schemas of a USER's own fields (data model: email, password, name, avatar_url, bio, timezone),
// shared by /api/users and the profile routes of /api/auth so both refuse the same things.
import { z } from "zod";

export const PASSWORD = z.string().min(12, "at least 12 characters").max(256);
export const EMAIL = z.string().trim().toLowerCase().email().max(254);
export const NAME = z
  .string()
  .trim()
  .min(1)
  .max(200)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "no control characters");
// Only web URLs: a javascript: or data: avatar would be script in whoever renders it.
export const AVATAR_URL = z.url({ protocol: /^https?$/, error: "an http(s) URL" }).max(2048);
export const BIO = z.string().max(2000);

const UTC_OFFSET = /^(?:UTC|GMT)(?:[+-](?:0?\d|1[0-4])(?::?[0-5]\d)?)?$/;

/** An IANA zone ("America/Santiago") or a UTC offset as the seed writes it ("UTC-5", "UTC+05:30"). */
export function isTimezone(value: string): boolean {
  if (UTC_OFFSET.test(value)) return true;
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{1,63}$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const TIMEZONE = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine(isTimezone, 'an IANA time zone ("Europe/Madrid") or a UTC offset ("UTC-5")');
