import { describe, expect, it } from "vitest";
import { parseRelayMessage, parseRoomMessage } from "./feed.ts";
import { type RelaySocket, RelayViewers } from "./relay-viewers.ts";

function socket() {
  const sent: string[] = [];
  const closed: { code: number; reason: string }[] = [];
  const ws: RelaySocket = {
    send: (d) => sent.push(typeof d === "string" ? d : `bytes:${new TextDecoder().decode(d)}`),
    close: (code, reason) => closed.push({ code, reason }),
  };
  return { ws, sent, closed };
}

const bytes = (s: string) => new TextEncoder().encode(s);

describe("RelayViewers", () => {
  it("sends the first frames, then what came after the join, then live output — never what came before", () => {
    const r = new RelayViewers();
    const a = socket();
    r.add("a", a.ws);
    r.batch(bytes("before-join"));
    r.message({ t: "join", id: "a" });
    r.batch(bytes("after-join"));
    r.message({ t: "json", text: "presence" });
    expect(a.sent).toEqual([]);
    r.message({ t: "ready", id: "a", frames: ["hello", "snapshot"] });
    expect(a.sent).toEqual([]); // not accepted yet
    r.opened("a");
    r.batch(bytes("live"));
    expect(a.sent).toEqual(["hello", "snapshot", "bytes:after-join", "presence", "bytes:live"]);
  });

  it("holds everything when the socket opens before the room's first frames", () => {
    const r = new RelayViewers();
    const a = socket();
    r.add("a", a.ws);
    r.opened("a");
    r.message({ t: "join", id: "a" });
    r.batch(bytes("x"));
    expect(a.sent).toEqual([]);
    r.message({ t: "ready", id: "a", frames: ["hello"] });
    expect(a.sent).toEqual(["hello", "bytes:x"]);
  });

  it("closes the named viewers, or all of them, with the room's code and reason", () => {
    const r = new RelayViewers();
    const [a, b] = [socket(), socket()];
    r.add("a", a.ws);
    r.add("b", b.ws);
    r.message({ t: "close", ids: ["a"], code: 4001, reason: "killed" });
    expect(a.closed).toEqual([{ code: 4001, reason: "killed" }]);
    expect(b.closed).toEqual([]);
    r.message({ t: "close-all", code: 1000, reason: "session over" });
    expect(b.closed).toEqual([{ code: 1000, reason: "session over" }]);
  });
});

describe("feed messages", () => {
  it("parses what the room sends and refuses anything else", () => {
    expect(parseRoomMessage('{"t":"join","id":"v1"}')).toEqual({ t: "join", id: "v1" });
    expect(parseRoomMessage('{"t":"close","ids":["a"],"code":4001,"reason":"r"}')).toEqual({
      t: "close",
      ids: ["a"],
      code: 4001,
      reason: "r",
    });
    expect(parseRoomMessage('{"t":"ready","id":"v1","frames":[1]}')).toBeNull();
    expect(parseRoomMessage('{"t":"input","data":"rm -rf /"}')).toBeNull();
    expect(parseRoomMessage("not json")).toBeNull();
    expect(parseRelayMessage('{"t":"left","id":"v1"}')).toEqual({ t: "left", id: "v1" });
    expect(parseRelayMessage('{"t":"left"}')).toBeNull();
  });
});
