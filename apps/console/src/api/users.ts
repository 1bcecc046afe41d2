// The organization's users (GET/POST/PATCH /api/users). Deactivating is `is_active: false`: the server ends
// the user's logins and sockets at once and keeps the account (and its audit trail).
import { api, ok, type Page, type Schemas } from "./http.ts";

export type User = Schemas["User"];

export function listUsers(search = ""): Promise<Page<User>> {
  return ok(api.GET("/api/users", { params: { query: { page_size: 200, search: search || undefined } } }));
}

export interface UserInput {
  email: string;
  name: string;
  roleId: string;
  password: string;
}

export function createUser(u: UserInput): Promise<User> {
  const body = { email: u.email, name: u.name, role_id: u.roleId, password: u.password };
  return ok(api.POST("/api/users", { body }));
}

export function updateUser(
  id: string,
  change: { name?: string; email?: string; roleId?: string; isActive?: boolean },
): Promise<User> {
  const body = { name: change.name, email: change.email, role_id: change.roleId, is_active: change.isActive };
  return ok(api.PATCH("/api/users/{id}", { params: { path: { id } }, body }));
}
