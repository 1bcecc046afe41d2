import { describe, expect, it } from "vitest";
import { ApiError } from "../errors.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";

const row = { ts: "2026-12-01T10:20:30.123456Z", id: "0b0e4c1a-9d59-4f7e-8a53-3f1c2b9e7d10" };

describe("audit cursor", () => {
  it("round-trips a row's timestamp (microseconds) and id through opaque base64url", () => {
    const text = encodeCursor(row);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text)).toEqual(row);
  });

  it("refuses anything it did not hand out with a field error on cursor", () => {
    for (const bad of [
      "garbage!",
      btoa('["2025-01-01","x"]'),
      encodeCursor({ ts: "2026-12-01T10:20:30.123Z", id: row.id }),
      encodeCursor({ ts: row.ts, id: "not-a-uuid" }),
      "",
    ]) {
      let err: unknown;
      try {
        decodeCursor(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe("VALIDATION_ERROR");
      expect(JSON.stringify((err as ApiError).details)).toContain('"path":"cursor"');
    }
  });
});
