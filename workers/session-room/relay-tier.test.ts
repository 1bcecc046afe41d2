import { describe, expect, it } from "vitest";
import type { Bindings } from "../env.ts";
import type { LocationHint } from "../viewer-relay/placement.ts";
import type { Meta } from "./lifecycle.ts";
import type { ViewerIdentity } from "./participants.ts";
import { RelayTier } from "./relay-tier.ts";

/** A ViewerRelay namespace that records the hint each relay was created with and accepts every feed. */
function relayNamespace() {
  const created: { id: string; hint: LocationHint | null }[] = [];
  const feeds = new Map<string, string[]>();
  const ns = {
    newUniqueId: () => {
      const id = `relay-${created.length + 1}`;
      return { toString: () => id };
    },
    get: (id: { toString(): string }, opts?: { locationHint?: LocationHint }) => {
      created.push({ id: id.toString(), hint: opts?.locationHint ?? null });
      const sent: string[] = [];
      feeds.set(id.toString(), sent);
      const feed = {
        accept: () => {},
        addEventListener: () => {},
        send: (m: string) => sent.push(m),
        close: () => {},
      };
      return { id, fetch: async () => ({ status: 101, webSocket: feed }) };
    },
  };
  return { ns, created, feeds };
}

function tier(slice: number) {
  const relays = relayNamespace();
  const env = {
    VIEWER_RELAY: relays.ns,
    VIEWER_RELAY_THRESHOLD: "1",
    VIEWER_RELAY_SLICE: String(slice),
  } as unknown as Bindings;
  const meta = { sessionUuid: "s", publicId: "p", status: "active", cols: 80, rows: 24 } as unknown as Meta;
  const t = new RelayTier(env, {
    meta: () => meta,
    screen: () => null,
    recording: () => false,
    flushOutput: () => {},
    pendingApprovals: () => [],
    participants: () => ({ size: 1, present: () => false, broadcastPresence: () => {} }),
    leftRow: () => {},
  });
  return { t, ...relays };
}

const watcher = (userId: string): ViewerIdentity => ({
  userId,
  name: userId,
  role: "viewer",
  canType: false,
  mayType: false,
  canSee: true,
  canShare: false,
  canApprove: false,
  loginId: null,
  viewerRowId: null,
  roleId: null,
});

describe("RelayTier placement", () => {
  it("gives each region its own relays, created with that region's location hint", async () => {
    const { t, created, feeds } = tier(2);
    const place = async (user: string, hint: LocationHint | null) =>
      (await t.place(watcher(user), hint))?.relay;
    const eu1 = await place("eu-1", "weur");
    const us1 = await place("us-1", "enam");
    const eu2 = await place("eu-2", "weur");
    const eu3 = await place("eu-3", "weur");
    const nowhere = await place("unknown", null);
    const us2 = await place("us-2", "enam");

    expect(eu2).toBe(eu1);
    expect(us1).not.toBe(eu1);
    expect(us2).toBe(us1);
    // The first European relay is full (a slice of 2): the third European gets a second European relay.
    expect(eu3).not.toBe(eu1);
    expect(nowhere).not.toBe(eu1);
    expect(nowhere).not.toBe(us1);
    expect(created).toEqual([
      { id: eu1, hint: "weur" },
      { id: us1, hint: "enam" },
      { id: eu3, hint: "weur" },
      { id: nowhere, hint: null },
    ]);
    // Each watcher is announced on its own region's feed only, and told which relay serves it.
    await new Promise((r) => setTimeout(r, 0));
    const told = (relay: string | undefined) =>
      (feeds.get(relay ?? "") ?? [])
        .map((m) => JSON.parse(m) as { t: string; frames?: string[] })
        .filter((m) => m.t === "ready")
        .map((m) => (JSON.parse(m.frames?.at(-1) ?? "{}") as { data?: unknown }).data);
    expect(told(eu1)).toEqual([
      { relay: 1, location_hint: "weur" },
      { relay: 1, location_hint: "weur" },
    ]);
    expect(told(us1)).toEqual([
      { relay: 2, location_hint: "enam" },
      { relay: 2, location_hint: "enam" },
    ]);
    expect(told(eu3)).toEqual([{ relay: 3, location_hint: "weur" }]);
    expect(told(nowhere)).toEqual([{ relay: 4, location_hint: null }]);
  });
});
