import { describe, expect, it } from "vitest";
import { qrPath } from "./qr-code.tsx";

describe("qrPath", () => {
  it("draws one unit square per dark module, offset by the border", () => {
    expect(qrPath([[true]], 0)).toBe("M0 0h1v1h-1z");
    expect(
      qrPath(
        [
          [false, true],
          [true, false],
        ],
        2,
      ),
    ).toBe("M3 2h1v1h-1zM2 3h1v1h-1z");
  });
});
