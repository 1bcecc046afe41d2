// presentPrincipal: the principal as its holder sees it — snake_case, valid against the contract, and
// without the login session's id.
import { describe, expect, it } from "vitest";
import { presentPrincipal } from "./present.ts";
import type { UserPrincipal } from "./principal.ts";
import { Principal } from "./schemas.ts";

const user: UserPrincipal = {
  kind: "user",
  id: "7f1c7c9e-4d0a-4a55-9a39-7d0b6f0e8a11",
  tenantId: "0b8e5a3c-2f57-4c1e-8a8e-3f0f3f7f0b21",
  email: "ripley@nostromo.example",
  name: "Ellen Ripley",
  roleId: "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
  roleName: "Technician",
  permissions: ["connection:delete", "session:end", "user:read"],
  ownOnly: ["connection:delete", "session:end"],
  pendingStep: null,
  loginId: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
  tokenId: null,
  via: "cookie",
};

describe("presentPrincipal", () => {
  it("shows a tenant user in snake_case, valid against the contract, without the login id", () => {
    const shown = presentPrincipal(user);
    expect(Principal.parse(shown)).toEqual(shown);
    expect(shown).toMatchObject({
      tenant_id: user.tenantId,
      role_id: user.roleId,
      role_name: "Technician",
      own_only: ["connection:delete", "session:end"],
      pending_step: null,
      via: "cookie",
      token_id: null,
    });
    expect(JSON.stringify(shown)).not.toContain(user.loginId as string);
  });

  it("shows a super admin with only who it is and how it signed in", () => {
    const shown = presentPrincipal({
      kind: "super_admin",
      id: user.id,
      email: "ops@nostromo.example",
      name: "Ops",
      loginId: user.loginId,
      tokenId: null,
      via: "cookie",
    });
    expect(Object.keys(shown).sort()).toEqual(["email", "id", "kind", "name", "token_id", "via"]);
    expect(Principal.parse(shown)).toEqual(shown);
  });
});
