import { describe, expect, it } from "vitest";
import { isOnline, ONLINE_WINDOW_MS } from "./online.ts";

const now = Date.parse("2026-01-01T00:00:00Z");
const ago = (ms: number) => new Date(now - ms);

describe("isOnline", () => {
  it("is online when active, connected and heard from within the window", () => {
    expect(isOnline({ status: "active", connected: true, lastHeartbeatAt: ago(1_000) }, now)).toBe(true);
  });
  it("is offline at the window's edge, when disconnected, revoked, or never heard from", () => {
    expect(isOnline({ status: "active", connected: true, lastHeartbeatAt: ago(ONLINE_WINDOW_MS) }, now)).toBe(
      false,
    );
    expect(isOnline({ status: "active", connected: false, lastHeartbeatAt: ago(1_000) }, now)).toBe(false);
    expect(isOnline({ status: "active", connected: null, lastHeartbeatAt: ago(1_000) }, now)).toBe(false);
    expect(isOnline({ status: "revoked", connected: true, lastHeartbeatAt: ago(1_000) }, now)).toBe(false);
    expect(isOnline({ status: "active", connected: true, lastHeartbeatAt: null }, now)).toBe(false);
  });
});
