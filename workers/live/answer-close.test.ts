import { describe, expect, it } from "vitest";
import { answerClose, echoable } from "./answer-close.ts";

describe("answerClose", () => {
  it("echoes a sendable code and its reason", () => {
    const calls: unknown[][] = [];
    answerClose({ close: (...a) => void calls.push(a) }, 1001, "agent shutting down");
    answerClose({ close: (...a) => void calls.push(a) }, 4001, "killed");
    expect(calls).toEqual([
      [1001, "agent shutting down"],
      [4001, "killed"],
    ]);
  });

  it("answers without a code when the peer's may not be sent (1005, 1006, 1015, out of range)", () => {
    for (const code of [1005, 1006, 1015, 999, 5000]) {
      const calls: unknown[][] = [];
      answerClose({ close: (...a) => void calls.push(a) }, code, "");
      expect(calls, String(code)).toEqual([[]]);
      expect(echoable(code)).toBe(false);
    }
  });

  it("leaves a socket that is already closed alone (close throws)", () => {
    expect(() =>
      answerClose(
        {
          close: () => {
            throw new TypeError("WebSocket already closed");
          },
        },
        1000,
        "",
      ),
    ).not.toThrow();
  });
});
