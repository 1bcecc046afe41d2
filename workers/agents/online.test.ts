import { describe, expect, it } from "vitest";
import { isOnline, ONLINE_WINDOW_MS } from "./online.ts";

const now = 1_800_000_000_000;
const fresh = new Date(now - 1_000);

describe("isOnline", () => {
  it("is online when active, connected and heard from within the window", () => {
    expect(isOnline({ status: "active", connected: true, lastHeartbeatAt: fresh }, now)).toBe(true);
  });

  it("is offline when revoked, disconnected, never heard from or silent for the whole window", () => {
    expect(isOnline({ status: "revoked", connected: true, lastHeartbeatAt: fresh }, now)).toBe(false);
    expect(isOnline({ status: "active", connected: false, lastHeartbeatAt: fresh }, now)).toBe(false);
    expect(isOnline({ status: "active", connected: null, lastHeartbeatAt: fresh }, now)).toBe(false);
    expect(isOnline({ status: "active", connected: true, lastHeartbeatAt: null }, now)).toBe(false);
    const edge = new Date(now - ONLINE_WINDOW_MS);
    expect(isOnline({ status: "active", connected: true, lastHeartbeatAt: edge }, now)).toBe(false);
    const inside = new Date(now - ONLINE_WINDOW_MS + 1);
    expect(isOnline({ status: "active", connected: true, lastHeartbeatAt: inside }, now)).toBe(true);
  });
});
