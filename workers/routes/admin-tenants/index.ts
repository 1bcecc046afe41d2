// /api/admin/tenants (super admins): provision, list, detail (never credentials), features, suspend and
// reactivate. Every change is audited on the platform trail and invalidates the tenant cache.
import { and, asc, count, eq, isNull, type SQL, sql } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { tenantFeatures, tenants } from "../../../db/schema/control/tenants.ts";
import { organization } from "../../../db/schema/tenant/organization.ts";
import { platformAudit } from "../../audit/audit.ts";
import { requireSuperAdmin } from "../../auth/guard.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { pageOf, pageOffset } from "../../lib/page.ts";
import { presentSettings } from "../../lib/redact.ts";
import { idParam, readJson, readQuery } from "../../lib/validate.ts";
import { openTenantDb } from "../../middleware/database.ts";
import { provisionBody, provisionTenant } from "../../tenancy/provision.ts";
import { findTenant, invalidateTenant } from "../../tenancy/tenant-record.ts";

const listQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  status: z.enum(["provisioning", "active", "suspended", "failed"]).optional(),
  tier: z.enum(["free", "silver", "gold", "platinum"]).optional(),
});

const featuresBody = z.object({
  features: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9_.:-]{0,63}$/, "lowercase letters, digits, - _ . :"))
    .max(100),
});

const statusBody = z.object({ reason: z.string().trim().max(500).optional() }).strict();

const publicColumns = {
  id: tenants.id,
  companyName: tenants.companyName,
  subdomain: tenants.subdomain,
  tier: tenants.tier,
  status: tenants.status,
  statusReason: tenants.statusReason,
  driverType: tenants.driverType,
  dbMode: tenants.dbMode,
  createdAt: tenants.createdAt,
  updatedAt: tenants.updatedAt,
};

export const adminTenants = new Hono<AppEnv>()
  .use("*", requireSuperAdmin())

  .post("/provision", async (c) => {
    const input = await readJson(c, provisionBody);
    try {
      const result = await provisionTenant(c, input);
      await platformAudit(c, {
        type: "tenant.provisioned",
        action: "provision",
        description: `Provisioned tenant ${result.tenant.companyName} (${result.tenant.subdomain})`,
        tenantId: result.tenant.id,
        metadata: { tier: input.tier, database: result.database },
      });
      return c.json({ message: "Tenant provisioned successfully", ...result }, 201);
    } catch (err) {
      await platformAudit(c, {
        type: "tenant.provisioned",
        action: "provision",
        description: `Provisioning ${input.companyName} failed: ${err instanceof Error ? err.message : "error"}`,
        status: "failure",
      });
      throw err;
    }
  })

  .get("/", async (c) => {
    const q = readQuery(c, listQuery);
    const where: SQL[] = [isNull(tenants.deletedAt)];
    if (q.status) where.push(eq(tenants.status, q.status));
    if (q.tier) where.push(eq(tenants.tier, q.tier));
    const cond = and(...where);
    const [rows, [total]] = await Promise.all([
      c.var.db
        .select({
          ...publicColumns,
          features: sql<
            string[]
          >`coalesce((select array_agg(f.feature order by f.feature) from command.tenant_features f where f.tenant_id = ${tenants.id}), '{}')`,
        })
        .from(tenants)
        .where(cond)
        .orderBy(asc(tenants.createdAt), asc(tenants.id))
        .limit(q.pageSize)
        .offset(pageOffset(q)),
      c.var.db.select({ n: count() }).from(tenants).where(cond),
    ]);
    return c.json(pageOf(q, rows, total?.n));
  })

  .get("/:id", async (c) => {
    const id = idParam(c);
    const [row] = await c.var.db
      .select({
        ...publicColumns,
        contactName: tenants.contactName,
        contactEmail: tenants.contactEmail,
        contactPhone: tenants.contactPhone,
        rut: tenants.rut,
        config: tenants.config,
        masterKeyId: tenants.masterKeyId,
        hasDatabaseCredentials: sql<boolean>`${tenants.dbConfigEncrypted} is not null`,
      })
      .from(tenants)
      .where(and(eq(tenants.id, id), isNull(tenants.deletedAt)));
    if (!row) throw new ApiError("NOT_FOUND", "No such tenant");
    const record = await findTenant(c.var.db, id, { fresh: true });
    let org: { plan: string; maxUsers: number; maxConnections: number; settings: unknown } | null = null;
    if (record && record.status === "active") {
      const db = await openTenantDb(c, record);
      const [o] = await db
        .select({
          plan: organization.plan,
          maxUsers: organization.maxUsers,
          maxConnections: organization.maxConnections,
          settings: organization.settings,
        })
        .from(organization)
        .where(eq(organization.id, id))
        .catch(() => []);
      org = o ?? null;
    }
    return c.json({
      ...row,
      features: record?.features ?? [],
      database: {
        mode: row.dbMode,
        driverType: row.driverType,
        credentialsStored: row.hasDatabaseCredentials,
      },
      organization: org
        ? { ...org, settings: presentSettings(org.settings as { webhook_url?: string }) }
        : null,
    });
  })

  .patch("/:id/features", async (c) => {
    const id = idParam(c);
    const { features } = await readJson(c, featuresBody);
    const record = await findTenant(c.var.db, id, { fresh: true });
    if (!record) throw new ApiError("NOT_FOUND", "No such tenant");
    const unique = [...new Set(features)].sort();
    await c.var.db.transaction(async (tx) => {
      await tx.delete(tenantFeatures).where(eq(tenantFeatures.tenantId, id));
      if (unique.length)
        await tx.insert(tenantFeatures).values(unique.map((feature) => ({ tenantId: id, feature })));
      await tx
        .update(tenants)
        .set({ version: sql`${tenants.version} + 1` })
        .where(eq(tenants.id, id));
    });
    invalidateTenant(record);
    await platformAudit(c, {
      type: "tenant.updated",
      action: "features",
      description: `Features of ${record.subdomain} set to [${unique.join(", ")}]`,
      tenantId: id,
      metadata: { before: record.features, after: unique },
    });
    return c.json({
      message: "Features updated",
      tenant: { id, subdomain: record.subdomain, features: unique },
    });
  })

  .post("/:id/suspend", async (c) => setStatus(c, "suspended"))
  .post("/:id/reactivate", async (c) => setStatus(c, "active"));

async function setStatus(c: Context<AppEnv>, status: "active" | "suspended"): Promise<Response> {
  const id = idParam(c);
  const body = c.req.header("content-type") ? await readJson(c, statusBody) : {};
  const record = await findTenant(c.var.db, id, { fresh: true });
  if (!record) throw new ApiError("NOT_FOUND", "No such tenant");
  const from = status === "active" ? "suspended" : "active";
  if (record.status !== from)
    throw new ApiError("INVALID_STATE", `The tenant is ${record.status}, not ${from}`);
  await c.var.db
    .update(tenants)
    .set({ status, statusReason: body.reason ?? null, version: sql`${tenants.version} + 1` })
    .where(eq(tenants.id, id));
  invalidateTenant(record);
  await platformAudit(c, {
    type: "tenant.updated",
    action: status === "active" ? "reactivate" : "suspend",
    description: `${record.subdomain} ${status === "active" ? "reactivated" : "suspended"}${body.reason ? `: ${body.reason}` : ""}`,
    tenantId: id,
  });
  return c.json({ tenant: { id, subdomain: record.subdomain, status } });
}
