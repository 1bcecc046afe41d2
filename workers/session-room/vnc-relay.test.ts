import { decodeTunnelChunk, encodeTunnelChunk } from "@nostromo/protocol";
import { describe, expect, it } from "vitest";
import { VncRelay } from "./vnc-relay.ts";

/** The parts of a workerd WebSocket the relay uses, recording what is sent on it. */
class FakeAgent {
  binaryType = "blob";
  readonly sent: (string | Uint8Array)[] = [];
  private readonly listeners = new Map<string, ((ev: { data?: unknown }) => void)[]>();
  accept(): void {}
  send(data: string | Uint8Array): void {
    this.sent.push(data);
  }
  close(): void {}
  addEventListener(type: string, fn: (ev: { data?: unknown }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  emit(data: unknown): void {
    for (const fn of this.listeners.get("message") ?? []) fn({ data });
  }
  frames(): unknown[] {
    return this.sent.filter((d) => typeof d === "string").map((d) => JSON.parse(d));
  }
}

const serverInit = new Uint8Array([
  2, 128, 1, 144, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0, 0, 0, 0, 0,
]);

function relay() {
  const pictures: { length: number; first: boolean }[] = [];
  let touched = 0;
  const r = new VncRelay({
    publicId: () => "vnc-1",
    ready: () => {},
    failed: () => {},
    touched: () => {
      touched += 1;
    },
    end: () => {},
    audit: () => {},
    clipboard: () => true,
    picture: (b, first) => pictures.push({ length: b.byteLength, first }),
    frame: () => {},
  });
  const agent = new FakeAgent();
  r.attachAgent(agent as unknown as WebSocket);
  return { r, agent, pictures, touched: () => touched };
}

describe("VncRelay's recorded picture", () => {
  it("opens a stream of its own once recording is on and the agent is ready, and records its bytes", () => {
    const h = relay();
    h.r.record(true);
    expect(h.agent.frames()).toEqual([]);
    h.agent.emit(JSON.stringify({ t: "ready" }));
    expect(h.agent.frames()).toEqual([{ t: "tcp.open", stream: 1 }]);
    h.agent.emit(JSON.stringify({ t: "tcp.opened", stream: 1 }));
    const init = h.agent.sent.at(-1);
    expect(init instanceof Uint8Array && decodeTunnelChunk(init)?.payload).toEqual(new Uint8Array([1]));
    // The agent acknowledges what it wrote to the server: the stream stays open.
    h.agent.emit(JSON.stringify({ t: "tcp.ack", stream: 1, bytes: 1 }));
    h.agent.emit(encodeTunnelChunk(1, serverInit).slice().buffer);
    expect(h.pictures).toEqual([{ length: 24, first: true }]);
    expect(h.agent.frames().at(-1)).toEqual({ t: "tcp.ack", stream: 1, bytes: 24 });
    expect(h.touched()).toBe(0);
    h.r.record(false);
    expect(h.agent.frames().at(-1)).toMatchObject({ t: "tcp.close", stream: 1 });
  });
});
