// The Command Center's view of every active login (GET /api/sessions) and its kill switch.
import { request } from "./http.ts";
import { type Page, pageQuery, str, strOrNull, toPage, type Wire } from "./wire.ts";

export interface ActiveLogin {
  id: string;
  kind: "super_admin" | "tenant_user";
  email: string;
  userName: string;
  role: string;
  tenantId: string | null;
  tenantName: string | null;
  tenantSubdomain: string | null;
  ipAddress: string;
  userAgent: string;
  startedAt: string;
  lastSeenAt: string;
}

function toLogin(r: Wire): ActiveLogin {
  return {
    id: str(r, "id"),
    kind: str(r, "principalType") === "super_admin" ? "super_admin" : "tenant_user",
    email: str(r, "email"),
    userName: str(r, "userName"),
    role: str(r, "role"),
    tenantId: strOrNull(r, "tenantId"),
    tenantName: strOrNull(r, "tenantName"),
    tenantSubdomain: strOrNull(r, "tenantSubdomain"),
    ipAddress: str(r, "ipAddress"),
    userAgent: str(r, "userAgent"),
    startedAt: str(r, "startedAt"),
    lastSeenAt: str(r, "lastSeenAt"),
  };
}

export async function listLogins(page = 1, pageSize = 200): Promise<Page<ActiveLogin>> {
  const body = await request<unknown>("GET", "/api/sessions", { query: pageQuery(page, pageSize) });
  return toPage(body, toLogin);
}

export async function killLogin(id: string): Promise<void> {
  await request("DELETE", `/api/sessions/${encodeURIComponent(id)}`);
}
