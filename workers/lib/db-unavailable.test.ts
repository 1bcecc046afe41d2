import { describe, expect, it } from "vitest";
import { databaseErrorChain, isDatabaseUnavailable } from "./db-unavailable.ts";

describe("isDatabaseUnavailable", () => {
  it("recognises outages through drizzle's cause chain", () => {
    const driver = new Error("Connection terminated unexpectedly");
    expect(isDatabaseUnavailable(new Error("Failed query: select 1", { cause: driver }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code: "57P01" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code: "08006" }))).toBe(true);
    expect(isDatabaseUnavailable(new Error("timeout exceeded when trying to connect"))).toBe(true);
    // The database WebSocket could not be opened (seen while the relay restarted: a 426 to the upgrade).
    const ws = new TypeError(
      "Failed to establish the WebSocket connection: expected server to reply with HTTP status code 101 (switching protocols), but received 426 instead.",
    );
    expect(isDatabaseUnavailable(new Error("Failed query: select 1", { cause: ws }))).toBe(true);
  });

  it("leaves query errors and bugs alone", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("bad"), { code: "22021" }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error("dup"), { code: "23505" }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("x is undefined"))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});

describe("databaseErrorChain", () => {
  it("logs the driver's reason under drizzle's wrapper, never the statement's parameters", () => {
    const driver = Object.assign(new Error("timeout exceeded when trying to connect"), { code: "ETIMEDOUT" });
    const wrapped = new Error(
      'Failed query: select * from "auth"."user_sessions" where token_hash = $1\nparams: 315db9',
      {
        cause: driver,
      },
    );
    const chain = databaseErrorChain(wrapped);
    expect(chain).toEqual([
      'Failed query: select * from "auth"."user_sessions" where token_hash = $1',
      "timeout exceeded when trying to connect [ETIMEDOUT]",
    ]);
    expect(JSON.stringify(chain)).not.toContain("315db9");
  });

  it("does not pass workerd's 'Uncaught' on: a lost database socket's error event was handled (a 503)", () => {
    // The shape the driver hands on: workerd's ErrorEvent of the WebSocket, its message prefixed "Uncaught ".
    const event = { type: "error", message: "Uncaught Error: Network connection lost." };
    const chain = databaseErrorChain(new Error("Failed query: select 1", { cause: event }));
    expect(chain).toEqual(["Failed query: select 1", "Error: Network connection lost."]);
    expect(JSON.stringify(chain)).not.toMatch(/uncaught/i);
    expect(isDatabaseUnavailable(new Error("Failed query: select 1", { cause: event }))).toBe(true);
  });
});
