import { expect, describe as group, it } from "vitest";
import { describe, type FailureLike, fieldErrors, formatWait, signInMessage } from "./messages.ts";

const failure = (code: string, details: unknown = null, retry: number | null = null): FailureLike => ({
  status: 400,
  code,
  message: `server says ${code}`,
  details,
  retryAfterSeconds: retry,
});

group("messages", () => {
  it("formats a wait", () => {
    expect(formatWait(5)).toBe("5 s");
    expect(formatWait(60)).toBe("1 min");
    expect(formatWait(754.2)).toBe("12 min 35 s");
    expect(formatWait(-3)).toBe("0 s");
  });

  it("says how long a throttled sign-in waits, and whether the account is locked", () => {
    expect(signInMessage(failure("RATE_LIMITED", { retryAfterSeconds: 120, scope: "account_ip" }))).toBe(
      "Too many failed sign-ins. Try again in 2 min.",
    );
    expect(signInMessage(failure("RATE_LIMITED", { scope: "account" }, 30))).toMatch(/locked.*30 s/);
    expect(signInMessage(failure("RATE_LIMITED", { retryAfterSeconds: 120 }), 61)).toMatch(/1 min 1 s/);
  });

  it("names the problem of each field", () => {
    const f = failure("VALIDATION_ERROR", { fields: [{ path: "hostname", message: "must be a DNS name" }] });
    expect(fieldErrors(f)).toEqual({ hostname: "must be a DNS name" });
    expect(describe(f)).toBe("Check the form: hostname must be a DNS name.");
    expect(describe(failure("TENANT_DB_UNREACHABLE"))).toMatch(/^Database unreachable/);
    expect(signInMessage(failure("INVALID_CREDENTIALS"))).toBe("Wrong email, password or code.");
  });
});
