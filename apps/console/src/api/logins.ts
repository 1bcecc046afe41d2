// The Command Center's view of every active login (GET /api/sessions) and its kill switch.
import { api, ok, type Page, type Schemas } from "./http.ts";

export type ActiveLogin = Schemas["ActiveLogin"];

export function listLogins(page = 1, pageSize = 200): Promise<Page<ActiveLogin>> {
  return ok(api.GET("/api/sessions", { params: { query: { page, page_size: pageSize } } }));
}

export async function killLogin(id: string): Promise<void> {
  await api.DELETE("/api/sessions/{id}", { params: { path: { id } } });
}
