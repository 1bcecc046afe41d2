import { describe, expect, it } from "vitest";
import { publicIdPatterns, SESSION_TYPES, sessionTypeOf } from "./kind.ts";

describe("session type from the public id", () => {
  it("reads each kind's prefix, exec as ssh", () => {
    expect(sessionTypeOf("ssh-12")).toBe("ssh");
    expect(sessionTypeOf("exec-3")).toBe("ssh");
    expect(sessionTypeOf("telnet-1")).toBe("telnet");
    expect(sessionTypeOf("vnc-4")).toBe("vnc");
    expect(sessionTypeOf("rdp-9")).toBe("rdp");
    expect(sessionTypeOf("tunnel-40")).toBe("tunnel");
  });

  it("does not mistake a prefix that only starts like another", () => {
    expect(sessionTypeOf("tunnelx-1")).toBe("ssh");
    expect(sessionTypeOf("telnet")).toBe("ssh");
  });

  it("filters each type by patterns that read back as that type", () => {
    for (const t of SESSION_TYPES)
      for (const p of publicIdPatterns(t)) expect(sessionTypeOf(p.replace("%", "7"))).toBe(t);
    expect(publicIdPatterns("ssh")).toEqual(["ssh-%", "exec-%"]);
  });
});
