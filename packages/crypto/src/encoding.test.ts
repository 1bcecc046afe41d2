import { describe, expect, it } from "vitest";
import {
  decodeBase64,
  encodeBase64,
  encodeBase64Url,
  randomToken,
  timingSafeEqual,
  toHex,
} from "./encoding.ts";

describe("base64", () => {
  it("round-trips standard and url-safe forms and rejects non-base64", () => {
    const bytes = Uint8Array.from([0, 251, 255, 16, 62, 63]);
    expect(decodeBase64(encodeBase64(bytes))).toEqual(bytes);
    expect(decodeBase64(encodeBase64Url(bytes))).toEqual(bytes);
    expect(encodeBase64Url(bytes)).not.toMatch(/[+/=]/);
    expect(decodeBase64("not base64!")).toBeNull();
    expect(decodeBase64("A")).toBeNull();
  });

  it("encodes inputs larger than one chunk like Node's Buffer does", () => {
    const bytes = Uint8Array.from({ length: 0x8000 * 2 + 7 }, (_, i) => (i * 131 + 7) & 0xff);
    expect(encodeBase64(bytes)).toBe(Buffer.from(bytes).toString("base64"));
    expect(encodeBase64Url(bytes)).toBe(Buffer.from(bytes).toString("base64url"));
  });
});

describe("primitives", () => {
  it("hex, random tokens and constant-time equality", () => {
    expect(toHex(Uint8Array.from([0, 15, 255]))).toBe("000fff");
    expect(randomToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(timingSafeEqual("abc", "abc")).toBe(true);
    expect(timingSafeEqual("abc", "abd")).toBe(false);
    expect(timingSafeEqual("abc", "ab")).toBe(false);
  });
});
