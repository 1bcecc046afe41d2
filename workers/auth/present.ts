// How a principal is shown to its own holder (login answer, GET /api/auth/me): snake_case, without the
// login session's id (an internal id: the Command Center lists logins, their holders do not need it).
import type { Principal as PrincipalRecord } from "./principal.ts";
import type { Principal } from "./schemas.ts";

export function presentPrincipal(p: PrincipalRecord): Principal {
  const via = { via: p.via, token_id: p.tokenId };
  if (p.kind === "super_admin")
    return { kind: "super_admin", id: p.id, email: p.email, name: p.name, ...via };
  return {
    kind: "user",
    id: p.id,
    email: p.email,
    name: p.name,
    tenant_id: p.tenantId,
    role_id: p.roleId,
    role_name: p.roleName,
    permissions: p.permissions,
    own_only: p.ownOnly,
    pending_step: p.pendingStep === "2fa_enroll" ? "2fa_enroll" : null,
    ...via,
  };
}
