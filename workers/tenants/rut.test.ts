import { describe, expect, it } from "vitest";
import { validRut } from "./rut.ts";

describe("validRut", () => {
  it("accepts RUTs whose check digit is right, with or without dots, k in either case", () => {
    for (const rut of [
      "76.123.456-0",
      "76123456-0",
      "11.111.111-1",
      "12.345.678-5",
      "10.000.013-k",
      "10000013-K",
    ])
      expect(validRut(rut), rut).toBe(true);
  });
  it("refuses a wrong check digit and malformed text", () => {
    for (const rut of [
      "12.345.678-9",
      "76.123.456-1",
      "76123456",
      "7612-3456-0",
      "",
      "abc-1",
      "76.123.456-00",
    ])
      expect(validRut(rut), rut).toBe(false);
  });
});
