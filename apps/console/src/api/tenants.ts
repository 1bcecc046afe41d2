// The Command Center's tenants: list, detail (the server never returns credentials), features,
// suspend/reactivate and provisioning.
import { request } from "./http.ts";
import { field, type Page, pageQuery, str, strings, strOrNull, toPage, type Wire } from "./wire.ts";

export const TIERS = ["free", "silver", "gold", "platinum"] as const;
export type Tier = (typeof TIERS)[number];
/** The features the Worker checks (workers/tenancy/features.ts). */
export const KNOWN_FEATURES = ["ssh", "recording", "collaboration", "exec", "tenant-data", "api-tokens"];

export interface TenantSummary {
  id: string;
  companyName: string;
  subdomain: string;
  tier: string;
  status: string;
  statusReason: string | null;
  dbMode: string;
  driverType: string;
  features: string[];
  createdAt: string;
}

export interface TenantDetail extends TenantSummary {
  contactName: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
  rut: string | null;
  credentialsStored: boolean;
  plan: string | null;
  maxUsers: number | null;
  maxConnections: number | null;
}

function toSummary(r: Wire): TenantSummary {
  return {
    id: str(r, "id"),
    companyName: str(r, "companyName"),
    subdomain: str(r, "subdomain"),
    tier: str(r, "tier"),
    status: str(r, "status"),
    statusReason: strOrNull(r, "statusReason"),
    dbMode: str(r, "dbMode"),
    driverType: str(r, "driverType"),
    features: strings(r, "features"),
    createdAt: str(r, "createdAt"),
  };
}

export async function listTenants(page = 1, pageSize = 100): Promise<Page<TenantSummary>> {
  const body = await request<unknown>("GET", "/api/admin/tenants", { query: pageQuery(page, pageSize) });
  return toPage(body, toSummary);
}

export async function getTenant(id: string): Promise<TenantDetail> {
  const r = await request<Wire>("GET", `/api/admin/tenants/${encodeURIComponent(id)}`);
  const db = (field(r, "database") ?? {}) as Wire;
  const org = (field(r, "organization") ?? null) as Wire | null;
  const num = (w: Wire | null, n: string) =>
    w && typeof field(w, n) === "number" ? (field(w, n) as number) : null;
  return {
    ...toSummary(r),
    contactName: strOrNull(r, "contactName"),
    contactEmail: strOrNull(r, "contactEmail"),
    contactPhone: strOrNull(r, "contactPhone"),
    rut: strOrNull(r, "rut"),
    credentialsStored: field(db, "credentialsStored") === true,
    plan: org ? strOrNull(org, "plan") : null,
    maxUsers: num(org, "maxUsers"),
    maxConnections: num(org, "maxConnections"),
  };
}

export async function setFeatures(id: string, features: string[]): Promise<void> {
  await request("PATCH", `/api/admin/tenants/${encodeURIComponent(id)}/features`, { body: { features } });
}

export async function setSuspended(id: string, suspended: boolean, reason?: string): Promise<void> {
  const action = suspended ? "suspend" : "reactivate";
  await request("POST", `/api/admin/tenants/${encodeURIComponent(id)}/${action}`, {
    body: reason ? { reason } : {},
  });
}

export interface ProvisionInput {
  companyName: string;
  tier: Tier;
  subdomain?: string;
  adminName?: string;
  adminEmail?: string;
  adminPassword?: string;
  contactName?: string;
  contactEmail?: string;
  contactPhone?: string;
  rut?: string;
  /** A dedicated database the customer supplies; omitted: the pooled one. */
  database?: { host: string; port?: number; name: string; username: string; password: string };
}

export async function provisionTenant(input: ProvisionInput): Promise<{ id: string; subdomain: string }> {
  const { database, ...rest } = input;
  const body: Wire = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined && v !== ""));
  if (database) {
    body.dbHost = database.host;
    if (database.port) body.dbPort = database.port;
    body.dbName = database.name;
    body.dbUsername = database.username;
    body.dbPassword = database.password;
  }
  const res = await request<Wire>("POST", "/api/admin/tenants/provision", { body });
  const tenant = (field(res, "tenant") ?? {}) as Wire;
  return { id: str(tenant, "id"), subdomain: str(tenant, "subdomain") };
}
