import { describe, expect, it } from "vitest";
import { clipboardAllowed } from "./clipboard.ts";

describe("clipboardAllowed", () => {
  it("is off only on a connection tagged clipboard:off", () => {
    expect(clipboardAllowed({ tags: [] })).toBe(true);
    expect(clipboardAllowed({ tags: ["web", "clipboard:on"] })).toBe(true);
    expect(clipboardAllowed({ tags: ["web", "clipboard:off"] })).toBe(false);
    expect(clipboardAllowed({ tags: ["Clipboard:Off"] })).toBe(true);
  });
});
