// The viewer-relay case of test/e2e/live-session.test.ts (its stack sets VIEWER_RELAY_THRESHOLD=3 and
// VIEWER_RELAY_SLICE=2): a read-only watcher past the threshold is served by a relay — the same bytes as
// the owner, a reconnect that snapshots and goes on live, the kill switch closing the relayed socket. Kept
// apart so the live-session file stays readable; how soon the kill switch closes it is bench/fanout.ts's.
// Also: watchers from different regions (the `request.cf` the Worker sees) land on different relays.
import { Viewer } from "@nostromo/testkit";
import { expect, inject } from "vitest";
import { WATCH_ONLY } from "../../workers/viewer-relay/feed.ts";
import { type E2E, Http } from "./harness.ts";
import { type LiveEnv, openViewer, runIn, settle, userWithRole } from "./live.ts";

export async function watcherThroughRelay(
  live: LiveEnv,
  admin: Http,
  e2e: E2E,
  open: Viewer[],
): Promise<void> {
  const watcher = await userWithRole(live, "Observer", {
    email: "relay-watcher@demo-e2e.example",
    name: "Rita Relayed",
    password: "relay-watcher-password-1",
  });
  const s = await live.start(admin, { cols: 80, rows: 24 });
  const owner = await openViewer(admin, s.id, open);
  await runIn(owner, "echo before-relay-$((3*5))", "before-relay-15");
  // Three sockets on the room: the next read-only watcher goes to a relay.
  await openViewer(admin, s.id, open);
  await openViewer(admin, s.id, open);
  const w = await openViewer(watcher, s.id, open);
  expect(w.frame("hello")).toMatchObject({ you: { role: "viewer", canType: false } });
  expect(String(w.frame("snapshot")?.data)).toContain("before-relay-15");
  w.type("echo typed-by-watcher\r");
  await w.until("the relay's refusal", () =>
    w.frames.some((f) => f.t === "error" && f.message === WATCH_ONLY),
  );
  const watcherId = (w.frame("hello") as unknown as { you: { userId: string } }).you.userId;
  await owner.until("the watcher in presence", () =>
    owner.frames.some((f) => f.t === "presence" && JSON.stringify(f).includes(watcherId)),
  );

  // The same bytes as the owner, in order, from the moment both were attached.
  await settle(owner);
  const [o0, w0] = [owner.chunks.length, w.chunks.length];
  await runIn(
    owner,
    "for i in $(seq 1 300); do echo relayed-line-$i; done; echo relay-done-$((6*7))",
    "relay-done-42",
  );
  await w.until("the watcher sees it", () => w.text().includes("relay-done-42"));
  await settle(owner);
  expect(Buffer.concat(w.chunks.slice(w0)).equals(Buffer.concat(owner.chunks.slice(o0)))).toBe(true);
  expect(owner.text()).not.toContain("typed-by-watcher");

  // Reconnect: the screen as a snapshot, then live output again.
  w.close();
  await w.until("closed", () => w.closed !== null);
  const again = await openViewer(watcher, s.id, open);
  expect(String(again.frame("snapshot")?.data)).toContain("relay-done-42");
  again.type("x");
  await again.until("through a relay again", () =>
    again.frames.some((f) => f.t === "error" && f.message === WATCH_ONLY),
  );
  await runIn(owner, "echo after-reconnect-$((4*4))", "after-reconnect-16");
  await again.until("live again", () => again.text().includes("after-reconnect-16"));

  // The kill switch closes the relayed socket with the kill code (how soon: bench/fanout.ts, "kill switch").
  const root = new Http(e2e.stack.url);
  await root.login(inject("superAdmin").email, inject("superAdmin").password);
  const logins = await root.call<{ data: { id: string; email: string }[] }>("GET", "/api/sessions");
  const login = logins.body.data.find((l) => l.email === "relay-watcher@demo-e2e.example");
  expect(login).toBeDefined();
  const k = await root.call<{ closed: { sockets: number } }>("DELETE", `/api/sessions/${login?.id}`);
  expect(k.status).toBe(200);
  await again.until("killed", () => again.closed !== null);
  expect(again.closed).toEqual({ code: 4001, reason: "Your login was ended by a platform administrator" });
  expect(k.body.closed.sockets).toBeGreaterThanOrEqual(1);
  await admin.call("DELETE", `/api/remote-sessions/${s.id}`);
}

/**
 * Miniflare's own way to give a local request a `request.cf` (wrangler dev passes the header through its
 * proxy to the Worker's runtime); on Cloudflare's edge the header is an ordinary one the Worker never reads
 * and `request.cf` is the edge's. Without it, wrangler dev gives every request its placeholder (Austin,
 * Texas: `enam`).
 */
const comingFrom = (cf: Record<string, string>) => ({ "MF-CF-Blob": JSON.stringify(cf) });

export async function watchersNearTheirRelays(live: LiveEnv, admin: Http, open: Viewer[]) {
  const watcher = await userWithRole(live, "Observer", {
    email: "region-watcher@demo-e2e.example",
    name: "Reza Regional",
    password: "region-watcher-password-1",
  });
  const s = await live.start(admin, { cols: 80, rows: 24 });
  await openViewer(admin, s.id, open);
  await openViewer(admin, s.id, open);
  await openViewer(admin, s.id, open);
  /** The relay that serves a watcher coming from `cf`, as its RELAYED notice names it. */
  const relayOf = async (cf: Record<string, string>) => {
    const w = await Viewer.open(watcher, s.id, comingFrom(cf));
    open.push(w);
    const relayed = () => w.frames.find((f) => f.t === "notice" && f.code === "RELAYED");
    await w.until("told which relay serves it", () => Boolean(relayed()));
    return (relayed() as unknown as { data: { relay: number; location_hint: string | null } }).data;
  };
  const berlin = await relayOf({ continent: "EU", country: "DE" });
  const tokyo = await relayOf({ continent: "AS", country: "JP" });
  const paris = await relayOf({ continent: "EU", country: "FR" });
  const madrid = await relayOf({ continent: "EU", country: "ES" });
  const local = await relayOf({});
  expect(berlin).toEqual({ relay: 1, location_hint: "weur" });
  expect(tokyo).toEqual({ relay: 2, location_hint: "apac" });
  // Europe's relay has room for a second watcher (a slice is 2 here); the third opens Europe's second relay.
  expect(paris).toEqual(berlin);
  expect(madrid).toEqual({ relay: 3, location_hint: "weur" });
  // A request without a location (no `cf` the edge could place): a relay without a hint.
  expect(local).toEqual({ relay: 4, location_hint: null });
  await admin.call("DELETE", `/api/remote-sessions/${s.id}`);
}
