// Start-up errors of the local stack name the step, a readable cause (even for a promise rejected with
// nothing, which is how "failed to start: undefined" came about) and what to do.
import { describe, expect, it } from "vitest";
import { describeCause, formatStartError, StartError } from "../../infra/dev/start-error.ts";

describe("start-up errors", () => {
  it("describes any rejection value", () => {
    expect(describeCause(undefined)).toBe("no reason given (rejected with undefined)");
    expect(describeCause(null)).toBe("no reason given (rejected with null)");
    expect(describeCause("boom")).toBe("boom");
    expect(describeCause({ code: 7 })).toBe('{"code":7}');
    expect(describeCause(new Error("outer", { cause: new Error("inner") }))).toBe("outer (inner)");
  });

  it("names the step, the cause, the child's last output and the next action", () => {
    const text = formatStartError(
      new StartError("PostgreSQL", "exited (exit code 1)", "set PG_PORT to a free port", "FATAL: x\nLOG: y"),
    );
    expect(text).toBe(
      'failed to start — step "PostgreSQL": exited (exit code 1)\n  its last output:\n    FATAL: x\n    LOG: y\n  what to do: set PG_PORT to a free port',
    );
    expect(formatStartError(undefined)).toBe("failed to start: no reason given (rejected with undefined)");
  });
});
