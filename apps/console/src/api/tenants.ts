// The Command Center's tenants: list, detail (the server never returns credentials), features,
// suspend/reactivate and provisioning.
import { api, ok, type Page, type Schemas } from "./http.ts";

export const TIERS = ["free", "silver", "gold", "platinum"] as const;
export type Tier = (typeof TIERS)[number];
/** The features the Worker checks (workers/tenancy/features.ts). */
export const KNOWN_FEATURES = ["ssh", "recording", "collaboration", "exec", "tenant-data", "api-tokens"];

export type TenantSummary = Schemas["Tenant"];
export type TenantDetail = Schemas["TenantDetail"];
export type ProvisionInput = Schemas["ProvisionRequest"];

const byId = (id: string) => ({ params: { path: { id } } });

export function listTenants(page = 1, pageSize = 100): Promise<Page<TenantSummary>> {
  return ok(api.GET("/api/admin/tenants", { params: { query: { page, page_size: pageSize } } }));
}

export function getTenant(id: string): Promise<TenantDetail> {
  return ok(api.GET("/api/admin/tenants/{id}", byId(id)));
}

export async function setFeatures(id: string, features: string[]): Promise<void> {
  await api.PATCH("/api/admin/tenants/{id}/features", { ...byId(id), body: { features } });
}

export async function setSuspended(id: string, suspended: boolean, reason?: string): Promise<void> {
  const init = { ...byId(id), body: reason ? { reason } : {} };
  if (suspended) await api.POST("/api/admin/tenants/{id}/suspend", init);
  else await api.POST("/api/admin/tenants/{id}/reactivate", init);
}

export async function provisionTenant(input: ProvisionInput): Promise<{ id: string; subdomain: string }> {
  const body = Object.fromEntries(
    Object.entries(input).filter(([, v]) => v !== undefined && v !== ""),
  ) as ProvisionInput;
  const res = await ok(api.POST("/api/admin/tenants/provision", { body }));
  return { id: res.tenant.id, subdomain: res.tenant.subdomain };
}
