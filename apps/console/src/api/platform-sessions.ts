// The Command Center's view of every tenant's live remote sessions (GET /api/admin/remote-sessions) and
// their kill (DELETE /api/admin/remote-sessions/:tenant_id/:id).
import { api, ok, type Schemas } from "./http.ts";

export type LiveRemoteSession = Schemas["LiveRemoteSession"];
export type UnreadableTenant = Schemas["UnreadableTenant"];

export function listPlatformSessions(page = 1, pageSize = 200) {
  return ok(api.GET("/api/admin/remote-sessions", { params: { query: { page, page_size: pageSize } } }));
}

export function killPlatformSession(s: { tenant_id: string; id: string }) {
  return ok(
    api.DELETE("/api/admin/remote-sessions/{tenant_id}/{id}", {
      params: { path: { tenant_id: s.tenant_id, id: s.id } },
    }),
  );
}
