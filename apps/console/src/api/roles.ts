// The organization's roles (GET/POST/PATCH/DELETE /api/roles). The list answer carries every permission the
// server knows, so the permission matrix's columns come from the server, not from a copy in the console.
import { request } from "./http.ts";
import { field, str, strings, toPage, type Wire } from "./wire.ts";

export interface Role {
  id: string;
  name: string;
  description: string;
  permissions: string[];
  /** Permissions granted on the caller's own objects only (e.g. a Technician deletes their own connections). */
  ownOnly: string[];
  /** Predefined roles are read-only. */
  isSystem: boolean;
  userCount: number;
}

export interface RoleList {
  roles: Role[];
  permissions: string[];
}

function toRole(r: Wire): Role {
  return {
    id: str(r, "id"),
    name: str(r, "name"),
    description: str(r, "description"),
    permissions: strings(r, "permissions"),
    ownOnly: strings(r, "ownOnly"),
    isSystem: field(r, "isSystem") === true,
    userCount: Number(field(r, "userCount") ?? 0),
  };
}

export async function listRoles(): Promise<RoleList> {
  const body = await request<Wire>("GET", "/api/roles");
  return { roles: toPage(body, toRole).items, permissions: strings(body, "permissions") };
}

export interface RoleInput {
  name: string;
  description: string;
  permissions: string[];
}

export async function createRole(input: RoleInput): Promise<Role> {
  return toRole(await request<Wire>("POST", "/api/roles", { body: input }));
}

export async function updateRole(id: string, input: Partial<RoleInput>): Promise<Role> {
  return toRole(await request<Wire>("PATCH", `/api/roles/${encodeURIComponent(id)}`, { body: input }));
}

export async function deleteRole(id: string): Promise<void> {
  await request<unknown>("DELETE", `/api/roles/${encodeURIComponent(id)}`);
}
