// /api/admin/tenants (super admins): provision, list, detail, features, suspend and reactivate — the
// orchestrator seed's admin API. Thin: guards, op(), input, the service, the answer.
import { type Context, Hono } from "hono";
import { requireSuperAdmin } from "../auth/guard.ts";
import { op } from "../contract/op.ts";
import type { AppEnv } from "../env.ts";
import { idParam, readJson, readQuery } from "../lib/validate.ts";
import { openTenantDb } from "../middleware/database.ts";
import { requestPlatform } from "../tenancy/platform-context.ts";
import {
  FeaturesBody,
  FeaturesResult,
  ProvisionBody,
  Provisioned,
  StatusBody,
  StatusResult,
  TenantDetail,
  TenantPage,
  TenantQuery,
} from "./schemas.ts";
import { listTenants, provision, setFeatures, setStatus, tenantDetail } from "./service.ts";

const TAG = "Tenants";
const ACCESS = "super admin";

const statusOp = (summary: string, from: string) =>
  op({
    tag: TAG,
    summary,
    description: `The tenant must be ${from}; the optional body gives a reason (kept as status_reason).`,
    access: ACCESS,
    body: StatusBody,
    responses: { 200: StatusResult },
    errors: ["NOT_FOUND", "INVALID_STATE"],
  });

async function changeStatus(c: Context<AppEnv>, status: "active" | "suspended") {
  const id = idParam(c);
  const body = c.req.header("content-type") ? await readJson(c, StatusBody) : {};
  return c.json(await setStatus(requestPlatform(c), id, status, body.reason));
}

export const tenantsRoutes = new Hono<AppEnv>()
  .use("*", requireSuperAdmin())
  .post(
    "/provision",
    op({
      tag: TAG,
      summary: "Provision a tenant: its record, data key, database, organization and first Admin",
      description:
        "The orchestrator seed's example, kept verbatim (camelCase). Give dbHost, dbPort, dbName, dbUsername and dbPassword for a dedicated database on your server; platinum gets one on the platform's server; otherwise the pooled database. All or nothing.",
      access: ACCESS,
      body: ProvisionBody,
      responses: { 201: Provisioned },
      errors: [
        "VALIDATION_ERROR",
        "CONFLICT",
        "SUBDOMAIN_RESERVED",
        "TENANT_DB_UNREACHABLE",
        "TENANT_DB_AUTH_FAILED",
        "TENANT_DB_ERROR",
      ],
    }),
    async (c) => {
      const result = await provision(requestPlatform(c), await readJson(c, ProvisionBody));
      return c.json({ message: "Tenant provisioned successfully", ...result }, 201);
    },
  )
  .get(
    "/",
    op({
      tag: TAG,
      summary: "List the tenants",
      access: ACCESS,
      query: TenantQuery,
      responses: { 200: TenantPage },
      errors: ["VALIDATION_ERROR"],
    }),
    async (c) => c.json(await listTenants(requestPlatform(c), readQuery(c, TenantQuery))),
  )
  .get(
    "/:id",
    op({
      tag: TAG,
      summary: "A tenant's detail: contact, RUT, database mode (never credentials), organization",
      access: ACCESS,
      responses: { 200: TenantDetail },
      errors: ["NOT_FOUND"],
    }),
    async (c) => c.json(await tenantDetail(requestPlatform(c), idParam(c), (t) => openTenantDb(c, t))),
  )
  .patch(
    "/:id/features",
    op({
      tag: TAG,
      summary: "Replace a tenant's feature flags (the seed's { features: [...] })",
      access: ACCESS,
      body: FeaturesBody,
      responses: { 200: FeaturesResult },
      errors: ["NOT_FOUND", "VALIDATION_ERROR"],
    }),
    async (c) => {
      const id = idParam(c);
      const { features } = await readJson(c, FeaturesBody);
      return c.json(await setFeatures(requestPlatform(c), id, features));
    },
  )
  .post(
    "/:id/suspend",
    statusOp("Suspend a tenant (its requests then answer 403 TENANT_SUSPENDED)", "active"),
    (c) => changeStatus(c, "suspended"),
  )
  .post("/:id/reactivate", statusOp("Reactivate a suspended tenant", "suspended"), (c) =>
    changeStatus(c, "active"),
  );
