import { Permission, PREDEFINED_ROLES, type PredefinedRoleName } from "@nostromo/permissions";
import { describe, expect, it } from "vitest";
import { can, mayActOn } from "./guard.ts";
import type { UserPrincipal } from "./principal.ts";

function principal(roleName: PredefinedRoleName, id = "u-1"): UserPrincipal {
  const role = PREDEFINED_ROLES.find((r) => r.name === roleName);
  if (!role) throw new Error(roleName);
  return {
    kind: "user",
    id,
    tenantId: "t-1",
    email: `${id}@example.com`,
    name: id,
    roleId: `role-${roleName}`,
    roleName,
    permissions: [...role.permissions],
    ownOnly: [...role.ownOnly],
    pendingStep: null,
    loginId: null,
    tokenId: null,
    via: "cookie",
  };
}

describe("mayActOn — the matrix's 'solo propias' cells", () => {
  const P = Permission;
  it("a Technician deletes only its own connections and ends only its own sessions", () => {
    const tech = principal("Technician", "tech");
    for (const perm of [P.DELETE_CONNECTION, P.END_SESSION]) {
      expect(mayActOn(tech, perm, "tech")).toBe(true);
      expect(mayActOn(tech, perm, "someone-else")).toBe(false);
      expect(mayActOn(tech, perm, null)).toBe(false);
    }
    // Editing connections is not "own only".
    expect(mayActOn(tech, P.UPDATE_CONNECTION, "someone-else")).toBe(true);
  });

  it("an Admin acts on anyone's; an Observer on nobody's", () => {
    const admin = principal("Admin", "admin");
    const observer = principal("Observer", "obs");
    for (const perm of [P.DELETE_CONNECTION, P.END_SESSION]) {
      expect(mayActOn(admin, perm, "someone-else")).toBe(true);
      expect(mayActOn(observer, perm, "obs")).toBe(false);
    }
  });

  it("a token narrowed below the permission cannot use it, even on its own resources", () => {
    const tech = principal("Technician", "tech");
    const narrowed: UserPrincipal = { ...tech, permissions: [P.READ_CONNECTION], ownOnly: [] };
    expect(mayActOn(narrowed, P.DELETE_CONNECTION, "tech")).toBe(false);
    expect(can(narrowed, P.READ_CONNECTION)).toBe(true);
  });
});
