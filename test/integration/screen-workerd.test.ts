// The screen model's fast path inside workerd (plain-lines.ts reads xterm's internal state: this checks
// it is there in the runtime the room runs in, not only in Node).
import { SerializeAddon } from "@xterm/addon-serialize";
import { Terminal } from "@xterm/headless";
import { describe, expect, it } from "vitest";
import { Screen } from "../../workers/session-room/screen.ts";

describe("the room's screen model in workerd", () => {
  it("skips most of a cat and ends where parsing every byte ends", async () => {
    const line = `${"0123456789abcdef".repeat(6)}\r\n`;
    const batch = new TextEncoder().encode(line.repeat(1000));
    const fast = new Screen(80, 24);
    for (let i = 0; i < 3; i++) fast.write(batch);
    await fast.settled();
    const slow = new Terminal({ cols: 80, rows: 24, scrollback: 1000, allowProposedApi: true });
    const serializer = new SerializeAddon();
    slow.loadAddon(serializer as unknown as Parameters<Terminal["loadAddon"]>[0]);
    for (let i = 0; i < 3; i++) await new Promise<void>((r) => slow.write(batch, r));
    expect(fast.skipped).toBeGreaterThan(0.5 * 3 * batch.length);
    const b = fast.term.buffer.active;
    expect([b.cursorX, b.cursorY, b.baseY]).toEqual([0, 23, 1000]);
    expect(await fast.snapshot()).toBe(serializer.serialize({ scrollback: 200 }));
  });
});
