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

function relay() {
  const gone: string[] = [];
  return { r: new RelayViewers((id) => gone.push(id)), gone };
}

describe("RelayViewers", () => {
  it("sends the first frames, then what came after the join, then live output — never what came before", () => {
    const { r } = relay();
    const a = socket();
    r.batch(bytes("before-join"));
    r.message({ t: "join", id: "a" });
    r.batch(bytes("after-join"));
    expect(r.add("a", a.ws)).toBe(true);
    r.message({ t: "json", text: "presence" });
    r.message({ t: "ready", id: "a", frames: ["hello", "snapshot"] });
    expect(a.sent).toEqual([]); // not accepted yet
    r.opened("a");
    r.batch(bytes("live"));
    expect(a.sent).toEqual(["hello", "snapshot", "bytes:after-join", "presence", "bytes:live"]);
  });

  it("holds everything when the socket opens before the room's first frames", () => {
    const { r } = relay();
    const a = socket();
    r.message({ t: "join", id: "a" });
    r.add("a", a.ws);
    r.opened("a");
    r.batch(bytes("x"));
    expect(a.sent).toEqual([]);
    r.message({ t: "ready", id: "a", frames: ["hello"] });
    expect(a.sent).toEqual(["hello", "bytes:x"]);
  });

  it("sends nothing to a socket the room never announced, and closes it at expiry; one socket per watcher", () => {
    const { r } = relay();
    const stranger = socket();
    expect(r.add("never-announced", stranger.ws)).toBe(true);
    r.opened("never-announced");
    r.batch(bytes("secret output"));
    r.message({ t: "json", text: "presence" });
    r.expire("never-announced");
    expect(stranger.sent).toEqual([]);
    expect(stranger.closed).toEqual([{ code: 1008, reason: "not a watcher of this relay's room" }]);
    r.message({ t: "join", id: "a" });
    expect(r.add("a", socket().ws)).toBe(true);
    expect(r.add("a", socket().ws)).toBe(false);
  });

  it("keeps the feed for a watcher whose socket came before its announcement, from the announcement on", () => {
    const { r } = relay();
    const a = socket();
    r.add("a", a.ws);
    r.opened("a");
    r.batch(bytes("before-join"));
    r.message({ t: "join", id: "a" });
    r.batch(bytes("after-join"));
    r.message({ t: "ready", id: "a", frames: ["hello"] });
    r.expire("a");
    expect(a.sent).toEqual(["hello", "bytes:after-join"]);
    expect(a.closed).toEqual([]);
  });

  it("drops an announcement whose socket never came, and tells the room", () => {
    const { r, gone } = relay();
    r.message({ t: "join", id: "a" });
    r.message({ t: "join", id: "b" });
    r.add("b", socket().ws);
    r.expire("a");
    r.expire("b");
    expect(gone).toEqual(["a"]);
    expect(r.size).toBe(1);
  });

  it("closes the named viewers, or all of them, with the room's code and reason", () => {
    const { r, gone } = relay();
    const [a, b] = [socket(), socket()];
    for (const [id, s] of [
      ["a", a],
      ["b", b],
    ] as const) {
      r.message({ t: "join", id });
      r.add(id, s.ws);
    }
    r.message({ t: "join", id: "pending" });
    r.message({ t: "close", ids: ["a"], code: 4001, reason: "killed" });
    expect(a.closed).toEqual([{ code: 4001, reason: "killed" }]);
    expect(b.closed).toEqual([]);
    r.message({ t: "close-all", code: 1000, reason: "session over" });
    expect(b.closed).toEqual([{ code: 1000, reason: "session over" }]);
    expect(gone).toEqual(["pending"]); // sockets report their own close
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
