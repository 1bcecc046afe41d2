// The typing hand-over case of test/e2e/live-session.test.ts: the owner hands typing to a participant whose
// role runs commands (a Technician), never to an Observer; invited as collaborator they may type at once;
// taken back and handed again over the socket, the rights outlive a reconnect, and each hand-over over the
// socket is audited. Kept apart so the live-session file stays readable.
import type { Viewer } from "@nostromo/testkit";
import { expect } from "vitest";
import { type Http, waitFor } from "./harness.ts";
import { type LiveEnv, openViewer, runIn, userWithRole } from "./live.ts";

export async function typingHandOver(
  live: LiveEnv,
  session: { id: string; owner: Viewer; admin: Http; observer: Http },
  open: Viewer[],
): Promise<void> {
  const { id, owner, admin, observer } = session;
  const tech = await userWithRole(live, "Technician", {
    email: "tech-handover@demo-e2e.example",
    name: "Tom Technician",
    password: "technician-password-1",
  });
  const t = await openViewer(tech, id, open);
  const o = await openViewer(observer, id, open);
  const idOf = (v: Viewer) => (v.frame("hello") as unknown as { you: { userId: string } }).you.userId;
  expect(t.frame("hello")).toMatchObject({ you: { role: "viewer", canType: false, canApprove: false } });
  await owner.until("both present", () =>
    owner.frames.some(
      (f) => f.t === "presence" && JSON.stringify(f).includes(idOf(t)) && JSON.stringify(f).includes(idOf(o)),
    ),
  );
  const presence = owner.frames.filter((f) => f.t === "presence").at(-1) as unknown as {
    participants: { userId: string; mayType: boolean }[];
  };
  expect(presence.participants.find((p) => p.userId === idOf(o))?.mayType).toBe(false);
  expect(presence.participants.find((p) => p.userId === idOf(t))?.mayType).toBe(true);

  const refusals = () => owner.frames.filter((f) => f.t === "error" && f.code === "FORBIDDEN").length;
  const before = refusals();
  owner.send({ t: "set-typing", userId: idOf(o), canType: true });
  await owner.until("the Observer refused", () => refusals() > before);
  // Invited as collaborator: may type at once.
  const invited = await admin.call("POST", `/api/remote-sessions/${id}/participants`, {
    user_id: idOf(t),
    role: "collaborator",
  });
  expect(invited.status, JSON.stringify(invited.body)).toBe(200);
  await t.until("told they may type", () =>
    t.frames.some((f) => f.t === "notice" && JSON.stringify(f).includes("may type")),
  );
  await runIn(t, "echo handed-$((4*4))", "handed-16");
  const tries = (v: Viewer) => v.frames.filter((f) => f.t === "error" && f.code === "FORBIDDEN").length;
  owner.send({ t: "set-typing", userId: idOf(t), canType: false });
  await t.until("typing taken back", () =>
    t.frames.some((f) => f.t === "notice" && JSON.stringify(f).includes('"You are now collaborator"')),
  );
  const refusedBefore = tries(t);
  t.type("echo taken-back\r");
  await t.until("refused", () => tries(t) > refusedBefore);
  o.type("echo observer-handed\r");
  await o.until("refused", () => o.frames.some((f) => f.t === "error" && f.code === "FORBIDDEN"));
  // The rights outlive a reconnect: taken back stays taken back, handed over stays handed over.
  const back = await openViewer(tech, id, open);
  expect(back.frame("hello")).toMatchObject({ you: { role: "collaborator", canType: false } });
  owner.send({ t: "set-typing", userId: idOf(t), canType: true });
  await back.until("handed back", () =>
    back.frames.some((f) => f.t === "notice" && JSON.stringify(f).includes("may type")),
  );
  const again = await openViewer(tech, id, open);
  expect(again.frame("hello")).toMatchObject({ you: { role: "collaborator", canType: true } });
  // Each hand-over over the socket is audited (the invitation was, by the API).
  const shared = async () => {
    const r = await admin.call<{ data: { metadata: Record<string, unknown> }[] }>(
      "GET",
      `/api/audit?type=session.shared&user=${idOf(owner)}`,
    );
    return r.body.data.filter((e) => e.metadata.via === "socket" && e.metadata.userId === idOf(t));
  };
  await waitFor("two hand-overs audited", async () => (await shared()).length === 2);
  expect((await shared()).map((e) => e.metadata.canType).sort()).toEqual([false, true]);
  for (const v of [t, o, back, again]) v.close();
}
