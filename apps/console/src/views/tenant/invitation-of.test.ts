import { describe, expect, it } from "vitest";
import type { LiveSession, SessionViewer } from "../../api/index.ts";
import { invitationOf } from "./invitation-of.ts";

const ME = "11111111-1111-4111-8111-111111111111";
const OWNER = "22222222-2222-4222-8222-222222222222";
const session = { id: "s-1", session_id: "ssh-7", initiated_by_user_id: OWNER } as LiveSession;

const row = (p: Partial<SessionViewer>): SessionViewer => ({
  user_id: ME,
  name: "Cole",
  role: "viewer",
  joined_at: "2026-01-01T00:00:00.000Z",
  left_at: null,
  is_active: false,
  can_type: false,
  can_see: true,
  can_share: false,
  ...p,
});
const owner = row({ user_id: OWNER, name: "Hana Host", role: "owner", is_active: true, can_type: true });

describe("invitationOf", () => {
  it("is the session, its owner's name and the role given, for a row of mine never active", () => {
    expect(invitationOf(session, [owner, row({ role: "collaborator" })], ME)).toEqual({
      sessionId: "s-1",
      publicId: "ssh-7",
      role: "collaborator",
      ownerName: "Hana Host",
    });
  });

  it("is nothing once joined, after leaving, without a row of mine, or in my own session", () => {
    expect(invitationOf(session, [owner, row({ is_active: true })], ME)).toBeNull();
    expect(invitationOf(session, [owner, row({ left_at: "2026-01-01T00:01:00.000Z" })], ME)).toBeNull();
    expect(invitationOf(session, [owner], ME)).toBeNull();
    expect(invitationOf({ ...session, initiated_by_user_id: ME }, [row({ role: "owner" })], ME)).toBeNull();
  });
});
