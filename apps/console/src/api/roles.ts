// The organization's roles (GET/POST/PATCH/DELETE /api/roles). The list answer carries every permission the
// server knows, so the permission matrix's columns come from the server, not from a copy in the console.
// Predefined roles (`is_system`) are read-only; `own_only` lists permissions granted on the caller's own
// objects only.
import { api, ok, type Schemas } from "./http.ts";

export type Role = Schemas["Role"];

export interface RoleList {
  roles: Role[];
  permissions: string[];
}

export async function listRoles(): Promise<RoleList> {
  const body = await ok(api.GET("/api/roles", { params: { query: { page_size: 200 } } }));
  return { roles: body.data, permissions: body.permissions };
}

export interface RoleInput {
  name: string;
  description: string;
  permissions: string[];
}

export function createRole(input: RoleInput): Promise<Role> {
  return ok(api.POST("/api/roles", { body: input }));
}

export function updateRole(id: string, input: Partial<RoleInput>): Promise<Role> {
  return ok(api.PATCH("/api/roles/{id}", { params: { path: { id } }, body: input }));
}

export async function deleteRole(id: string): Promise<void> {
  await api.DELETE("/api/roles/{id}", { params: { path: { id } } });
}
