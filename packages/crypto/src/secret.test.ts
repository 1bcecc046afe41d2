import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { REDACTED, Secret } from "./secret.ts";

describe("Secret", () => {
  it("never prints its value, only reveal() hands it out", () => {
    const s = new Secret({ password: "hunter2" });
    expect(String(s)).toBe(REDACTED);
    expect(JSON.stringify({ s })).toBe(`{"s":"${REDACTED}"}`);
    expect(inspect(s)).toBe(REDACTED);
    expect(s.reveal().password).toBe("hunter2");
  });
});
