// Who may act on a session: the edge itself, or the session's own agent of the session's own tenant.
import { describe, expect, it } from "vitest";
import { agentMayAct } from "./agent-socket";

describe("agentMayAct", () => {
  const session = { agentId: "agent-b", tenantId: "tenant-b" };
  it("accepts the edge itself and the session's own agent", () => {
    expect(agentMayAct(session, undefined)).toBe(true);
    expect(agentMayAct(session, { agentId: "agent-b", tenantId: "tenant-b" })).toBe(true);
  });
  it("refuses another agent, of any tenant, and a right id claimed from another tenant", () => {
    expect(agentMayAct(session, { agentId: "agent-a", tenantId: "tenant-a" })).toBe(false);
    expect(agentMayAct(session, { agentId: "agent-a", tenantId: "tenant-b" })).toBe(false);
    expect(agentMayAct(session, { agentId: "agent-b", tenantId: "tenant-a" })).toBe(false);
  });
});
