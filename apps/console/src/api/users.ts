// The organization's users (GET/POST/PATCH /api/users). Deactivating is `is_active: false`: the server ends
// the user's logins and sockets at once and keeps the account (and its audit trail).
import { request } from "./http.ts";
import { field, type Page, pageQuery, str, strOrNull, toPage, type Wire } from "./wire.ts";

export interface User {
  id: string;
  email: string;
  name: string;
  roleId: string;
  roleName: string;
  isActive: boolean;
  twoFactorEnabled: boolean;
  lastLogin: string | null;
}

function toUser(r: Wire): User {
  return {
    id: str(r, "id"),
    email: str(r, "email"),
    name: str(r, "name"),
    roleId: str(r, "roleId"),
    roleName: str(r, "roleName"),
    isActive: field(r, "isActive") === true,
    twoFactorEnabled: field(r, "twoFactorEnabled") === true,
    lastLogin: strOrNull(r, "lastLogin"),
  };
}

export async function listUsers(search = ""): Promise<Page<User>> {
  const body = await request<unknown>("GET", "/api/users", {
    query: { ...pageQuery(1, 200), search: search || undefined },
  });
  return toPage(body, toUser);
}

export interface UserInput {
  email: string;
  name: string;
  roleId: string;
  password?: string;
}

export async function createUser(u: UserInput): Promise<User> {
  const body = { email: u.email, name: u.name, role_id: u.roleId, password: u.password };
  return toUser(await request<Wire>("POST", "/api/users", { body }));
}

export async function updateUser(
  id: string,
  change: { name?: string; email?: string; roleId?: string; isActive?: boolean },
): Promise<User> {
  const body: Wire = {};
  if (change.name !== undefined) body.name = change.name;
  if (change.email !== undefined) body.email = change.email;
  if (change.roleId !== undefined) body.role_id = change.roleId;
  if (change.isActive !== undefined) body.is_active = change.isActive;
  return toUser(await request<Wire>("PATCH", `/api/users/${encodeURIComponent(id)}`, { body }));
}
