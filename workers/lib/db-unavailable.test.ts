import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./db-unavailable.ts";

describe("isDatabaseUnavailable", () => {
  it("recognises outages through drizzle's cause chain", () => {
    const driver = new Error("Connection terminated unexpectedly");
    expect(isDatabaseUnavailable(new Error("Failed query: select 1", { cause: driver }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code: "57P01" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code: "08006" }))).toBe(true);
    expect(isDatabaseUnavailable(new Error("timeout exceeded when trying to connect"))).toBe(true);
  });

  it("leaves query errors and bugs alone", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("bad"), { code: "22021" }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error("dup"), { code: "23505" }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("x is undefined"))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});
