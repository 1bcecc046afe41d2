import { describe, expect, it } from "vitest";
import { doorFor } from "./viewer-door.ts";

describe("doorFor", () => {
  it("sends each kind's own socket to its part", () => {
    expect(doorFor(undefined, "/api/remote-sessions/x/ws")).toBe("shell");
    expect(doorFor("vnc", "/ws")).toBe("vnc");
    expect(doorFor("tunnel", "/tunnel")).toBe("tunnel");
    expect(doorFor("rdp", "/rdp")).toBe("rdp");
  });

  it("lets an RDP session be watched at /ws", () => {
    expect(doorFor("rdp", "/ws")).toBe("rdp-watch");
  });

  it("refuses a socket of the wrong kind", () => {
    expect(doorFor(undefined, "/tunnel")).toBeNull();
    expect(doorFor(undefined, "/rdp")).toBeNull();
    expect(doorFor("tunnel", "/ws")).toBeNull();
    expect(doorFor("tunnel", "/rdp")).toBeNull();
    expect(doorFor("vnc", "/tunnel")).toBeNull();
    expect(doorFor("vnc", "/rdp")).toBeNull();
    expect(doorFor("rdp", "/tunnel")).toBeNull();
  });
});
