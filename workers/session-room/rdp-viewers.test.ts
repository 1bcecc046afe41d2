import { describe, expect, it } from "vitest";
import { FakeEnd } from "./fake-socket-end.ts";
import type { ViewerIdentity } from "./participants.ts";
import { MAX_HISTORY_BYTES, RdpViewers } from "./rdp-viewers.ts";

const turn = () => new Promise((r) => setTimeout(r, 5));
const who = (over: Partial<ViewerIdentity> = {}) =>
  ({ userId: "u", canSee: true, loginId: "l", ...over }) as ViewerIdentity;
const facts = { width: 1024, height: 768, channels: ["drdynvc"] };
const bytes = (...b: number[]) => Uint8Array.from(b);
const shown = (end: FakeEnd) =>
  end.sent.map((d) => (typeof d === "string" ? JSON.parse(d).t : [...(d as Uint8Array)].join(",")));

describe("RdpViewers", () => {
  it("feeds a viewer the owner's client facts, then the whole stream from its first byte, then live bytes", async () => {
    const v = new RdpViewers();
    v.serverBytes(bytes(0x30, 1));
    v.client(facts);
    v.serverBytes(bytes(3, 0));
    const end = new FakeEnd();
    v.attach(end as unknown as WebSocket, who());
    await turn();
    v.serverBytes(bytes(0, 9));
    expect(shown(end)).toEqual(["rdp.client", "48,1", "3,0", "0,9"]);
    expect(JSON.parse(end.sent[0] as string)).toMatchObject(facts);
  });

  it("holds a viewer who came before the owner's client connected until its facts are known", async () => {
    const v = new RdpViewers();
    const end = new FakeEnd();
    v.attach(end as unknown as WebSocket, who());
    await turn();
    v.serverBytes(bytes(0x30, 1));
    expect(end.sent).toEqual([]);
    v.client(facts);
    v.serverBytes(bytes(3, 0));
    expect(shown(end)).toEqual(["rdp.client", "48,1", "3,0"]);
  });

  it("drops what a viewer sends and refuses who may not see", async () => {
    const v = new RdpViewers();
    v.client(facts);
    const end = new FakeEnd();
    v.attach(end as unknown as WebSocket, who());
    await turn();
    end.emit("message", new ArrayBuffer(8));
    expect(shown(end)).toEqual(["rdp.client"]);
    const blind = new FakeEnd();
    v.attach(blind as unknown as WebSocket, who({ canSee: false }));
    await turn();
    expect(blind.closes).toEqual([[1008, "You may not see this session"]]);
    expect(v.size).toBe(1);
  });

  it("past its bound the stream is dropped and viewers are refused", async () => {
    const v = new RdpViewers();
    v.client(facts);
    const end = new FakeEnd();
    v.attach(end as unknown as WebSocket, who());
    await turn();
    v.serverBytes(new Uint8Array(MAX_HISTORY_BYTES + 1));
    expect(end.closes[0]?.[1]).toMatch(/too long/);
    const late = new FakeEnd();
    v.attach(late as unknown as WebSocket, who());
    await turn();
    expect(late.closes[0]?.[1]).toMatch(/too long/);
  });
});
