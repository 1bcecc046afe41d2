import { Permission } from "@nostromo/permissions";
import { describe, expect, it } from "vitest";
import type { UserPrincipal } from "../auth/principal.ts";
import { presentSession, presentViewer } from "./present.ts";
import { Session, SessionViewer } from "./schemas.ts";
import type { SessionRow } from "./store.ts";

const OWNER = "11111111-1111-4111-8111-111111111111";
const OTHER = "22222222-2222-4222-8222-222222222222";
const at = new Date("2026-01-02T03:04:05.000Z");

const row: SessionRow = {
  id: "33333333-3333-4333-8333-333333333333",
  sessionId: "ssh-7",
  connectionId: "44444444-4444-4444-8444-444444444444",
  initiatedByUserId: OWNER,
  organizationId: "55555555-5555-4555-8555-555555555555",
  status: "active",
  statusReason: null,
  startedAt: at,
  endedAt: null,
  durationSeconds: null,
  isRecording: false,
  recordingUrl: null,
  recordingSizeBytes: null,
  totalCommands: 3,
  safeCommands: 2,
  blockedCommands: 1,
  clientIp: "203.0.113.9",
  userAgent: "curl/8",
  agentId: null,
  loginSessionId: "66666666-6666-4666-8666-666666666666",
  cols: 80,
  rows: 24,
  lastActivityAt: at,
  createdAt: at,
  updatedAt: at,
};

function caller(id: string, permissions: Permission[]): UserPrincipal {
  return {
    kind: "user",
    id,
    tenantId: row.organizationId,
    email: "x@example.com",
    name: "X",
    roleId: "77777777-7777-4777-8777-777777777777",
    roleName: "Custom",
    permissions,
    ownOnly: [],
    pendingStep: null,
    loginId: null,
    tokenId: null,
    via: "cookie",
  };
}

describe("presentSession", () => {
  const watcher = caller(OTHER, [Permission.VIEW_SESSION]);
  const auditor = caller(OTHER, [Permission.VIEW_SESSION, Permission.VIEW_AUDIT]);
  const owner = caller(OWNER, [Permission.VIEW_SESSION]);

  it("never shows the login session id or the organization, to anyone", () => {
    for (const who of [watcher, auditor, owner]) {
      const s = presentSession(row, who);
      expect(Session.parse(s)).toEqual(s);
      expect(JSON.stringify(s)).not.toContain(row.loginSessionId as string);
      expect(s).not.toHaveProperty("login_session_id");
      expect(s).not.toHaveProperty("organization_id");
    }
  });

  it("shows the owner's client IP and user agent to the owner and to audit:view only", () => {
    expect(presentSession(row, owner)).toMatchObject({ client_ip: "203.0.113.9", user_agent: "curl/8" });
    expect(presentSession(row, auditor)).toMatchObject({ client_ip: "203.0.113.9", user_agent: "curl/8" });
    const hidden = presentSession(row, watcher);
    expect(hidden).not.toHaveProperty("client_ip");
    expect(hidden).not.toHaveProperty("user_agent");
  });

  it("gives timestamps as ISO strings", () => {
    expect(presentSession(row, owner)).toMatchObject({
      started_at: "2026-01-02T03:04:05.000Z",
      ended_at: null,
      last_activity_at: "2026-01-02T03:04:05.000Z",
    });
  });
});

describe("presentViewer", () => {
  it("shows the participant's rights, not its row id", () => {
    const v = presentViewer({
      name: "Ana",
      viewer: {
        id: "88888888-8888-4888-8888-888888888888",
        sessionId: row.id,
        userId: OTHER,
        organizationId: row.organizationId,
        role: "collaborator",
        joinedAt: at,
        leftAt: null,
        isActive: true,
        canType: true,
        canSee: true,
        canShare: false,
      },
    });
    expect(SessionViewer.parse(v)).toEqual(v);
    expect(v).toEqual({
      user_id: OTHER,
      name: "Ana",
      role: "collaborator",
      joined_at: "2026-01-02T03:04:05.000Z",
      left_at: null,
      is_active: true,
      can_type: true,
      can_see: true,
      can_share: false,
    });
  });
});
