// Tenant resolver: subdomain (acme.nostromo.example, acme.localhost:8787), then X-Tenant-ID, then
// ?tenantId= (id or subdomain). Sources that disagree → 400 TENANT_MISMATCH; unknown → 404
// TENANT_NOT_FOUND; suspended → 403 TENANT_SUSPENDED. Sets the request's tenant and scope.
import { createMiddleware } from "hono/factory";
import type { AppEnv, Bindings } from "../env.ts";
import { ApiError } from "../errors.ts";
import { openTenantDb } from "../middleware/database.ts";
import { RESERVED_SUBDOMAINS, SUBDOMAIN_RE } from "./slug.ts";
import { findTenant, isUuid, type TenantRecord } from "./tenant-record.ts";

const DEFAULT_PLATFORM_HOSTS = ["localhost", "nostromo.example"];

export function platformHosts(env: Pick<Bindings, "PLATFORM_HOSTS">): string[] {
  const extra = (env.PLATFORM_HOSTS ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  return [...new Set([...extra, ...DEFAULT_PLATFORM_HOSTS])];
}

/** The tenant label of a Host header, or null for the platform host itself and unrelated hosts. */
export function subdomainOf(hostHeader: string | undefined, hosts: string[]): string | null {
  if (!hostHeader) return null;
  const host = hostHeader.toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
  for (const platform of hosts) {
    if (!host.endsWith(`.${platform}`)) continue;
    const label = host.slice(0, -(platform.length + 1));
    if (label.includes(".") || RESERVED_SUBDOMAINS.has(label)) return null;
    return label;
  }
  return null;
}

function validRef(ref: string): boolean {
  return isUuid(ref) || SUBDOMAIN_RE.test(ref.toLowerCase());
}

export const tenantResolver = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const refs: { source: string; ref: string }[] = [];
    // The URL's host is the Host header in production; service-binding calls may carry no Host header.
    const sub = subdomainOf(c.req.header("host") ?? new URL(c.req.url).host, platformHosts(c.env));
    if (sub) refs.push({ source: "subdomain", ref: sub });
    const header = c.req.header("x-tenant-id")?.trim();
    if (header) refs.push({ source: "X-Tenant-ID", ref: header });
    const query = c.req.query("tenantId")?.trim();
    if (query) refs.push({ source: "tenantId", ref: query });
    c.set("tenant", null);
    c.set("scope", null);
    if (refs.length === 0) return next();

    const found: { source: string; tenant: TenantRecord }[] = [];
    for (const { source, ref } of refs) {
      const tenant = validRef(ref) ? await findTenant(c.var.db, ref) : null;
      if (!tenant) throw new ApiError("TENANT_NOT_FOUND", `No tenant matches the ${source}`, { source });
      found.push({ source, tenant });
    }
    const first = found[0] as { source: string; tenant: TenantRecord };
    const other = found.find((f) => f.tenant.id !== first.tenant.id);
    if (other) {
      throw new ApiError(
        "TENANT_MISMATCH",
        `The ${first.source} and the ${other.source} name different tenants`,
        {
          sources: found.map((f) => f.source),
        },
      );
    }
    const tenant = first.tenant;
    if (tenant.status === "suspended") throw new ApiError("TENANT_SUSPENDED", "This tenant is suspended");
    if (tenant.status !== "active") throw new ApiError("TENANT_NOT_FOUND", "This tenant is not available");
    c.set("tenant", tenant);
    c.set("scope", { tenant, db: await openTenantDb(c, tenant) });
    return next();
  });

/** 403 FEATURE_DISABLED unless the resolved tenant has the feature. */
export const requireFeature = (feature: string) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const tenant = c.var.tenant;
    if (!tenant) throw new ApiError("TENANT_NOT_FOUND", "This route needs a tenant");
    if (!tenant.features.includes(feature)) {
      throw new ApiError("FEATURE_DISABLED", `The feature "${feature}" is not enabled for this tenant`, {
        feature,
      });
    }
    return next();
  });
