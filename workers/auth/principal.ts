// Who is making a request: a platform super admin or a tenant user, by login cookie or API token.
import type { Permission } from "@nostromo/permissions";

interface Via {
  /** auth.user_sessions.id of the login, when authenticated by the sid cookie. */
  loginId: string | null;
  /** auth.api_tokens.id, when authenticated by a bearer token. */
  tokenId: string | null;
  via: "cookie" | "bearer";
}

export interface SuperAdminPrincipal extends Via {
  kind: "super_admin";
  id: string;
  email: string;
  name: string;
}

export interface UserPrincipal extends Via {
  kind: "user";
  id: string;
  tenantId: string;
  email: string;
  name: string;
  roleId: string;
  roleName: string;
  /** Effective permissions: the role's, narrowed to the token's subset for API tokens. */
  permissions: Permission[];
  /** Permissions that hold only for the user's own resources (Technician: delete connection, end session). */
  ownOnly: Permission[];
  /** "2fa_enroll" while the organization requires 2FA the user has not set up. */
  pendingStep: string | null;
}

export type Principal = SuperAdminPrincipal | UserPrincipal;
