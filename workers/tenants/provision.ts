// Provisioning (POST /api/admin/tenants/provision): the tenant row, its data key, its database (pooled,
// dedicated on the platform's server, or the one the caller supplied — reached, migrated, seeded), its
// organization and first Admin. All or nothing: a failure half way rolls back what was made.

import { encryptString, randomToken } from "@nostromo/crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { applyMigrations } from "../../db/migrate.ts";
import { DEFAULT_ORGANIZATION_SETTINGS, organization } from "../../db/schema/tenant/organization.ts";
import { role } from "../../db/schema/tenant/role.ts";
import { user } from "../../db/schema/tenant/user.ts";
import { seedPredefinedRoles } from "../../db/seed.ts";
import { hashPassword } from "../auth/password.ts";
import { withDatabaseAt } from "../db/databases.ts";
import { ApiError } from "../errors.ts";
import { connectionString, createTenantDataKey, type DbConfig } from "../tenancy/connection-manager.ts";
import { DEDICATED_TIERS, TIER_FEATURES, TIER_PLAN } from "../tenancy/features.ts";
import type { PlatformContext } from "../tenancy/platform-context.ts";
import { RESERVED_SUBDOMAINS, slugify, uniqueSubdomain } from "../tenancy/slug.ts";
import { invalidateTenant } from "../tenancy/tenant-record.ts";
import type { ProvisionInput, ProvisionResult } from "./schemas.ts";
import { tenantWrites } from "./store.ts";

interface PgLikeError {
  code?: string;
  message?: string;
}

/** The driver's error under drizzle's DrizzleQueryError wrapper (which keeps it as `cause`). */
function pgError(err: unknown): PgLikeError {
  let e = err as PgLikeError & { cause?: unknown };
  while (e && !e.code && e.cause) e = e.cause as PgLikeError & { cause?: unknown };
  return e ?? {};
}

/** Maps a failure to reach a tenant database to a clear error for the caller. */
export function dbError(err: unknown, cfg: Pick<DbConfig, "host" | "port" | "database">): ApiError {
  if (err instanceof ApiError) return err;
  const e = pgError(err);
  const where = `${cfg.host}:${cfg.port}/${cfg.database}`;
  if (e?.code === "28P01" || e?.code === "28000") {
    return new ApiError("TENANT_DB_AUTH_FAILED", `The database at ${where} refused the username or password`);
  }
  if (e?.code === "3D000")
    return new ApiError(
      "TENANT_DB_ERROR",
      `The database ${cfg.database} does not exist at ${cfg.host}:${cfg.port}`,
    );
  if (e?.code === "42501")
    return new ApiError("TENANT_DB_ERROR", `The user may not create or change the database at ${where}`);
  if (typeof e?.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) {
    return new ApiError(
      "TENANT_DB_ERROR",
      `The database at ${where} answered with an error (SQLSTATE ${e.code})`,
    );
  }
  return new ApiError(
    "TENANT_DB_UNREACHABLE",
    `The database server at ${cfg.host}:${cfg.port} cannot be reached`,
  );
}

function withDb<T>(cfg: DbConfig, fn: (db: Db) => Promise<T>): Promise<T> {
  return withDatabaseAt(connectionString(cfg), fn);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Reaches the tenant's database, creating it on the server when it does not exist yet. */
async function prepareDedicated(cfg: DbConfig): Promise<{ created: boolean }> {
  try {
    await withDb(cfg, (db) => db.execute("select 1"));
    return { created: false };
  } catch (err) {
    if (pgError(err).code !== "3D000") throw dbError(err, cfg);
  }
  try {
    await withDb({ ...cfg, database: "postgres" }, (db) =>
      db.execute(`create database ${quoteIdent(cfg.database)}`),
    );
  } catch (err) {
    throw dbError(err, cfg);
  }
  return { created: true };
}

async function dropDedicated(cfg: DbConfig): Promise<void> {
  await withDb({ ...cfg, database: "postgres" }, (db) =>
    db.execute(`drop database if exists ${quoteIdent(cfg.database)} with (force)`),
  ).catch(() => {});
}

function platformServer(databaseUrl: string): Omit<DbConfig, "database"> {
  const u = new URL(databaseUrl);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    username: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
}

async function seedTenantData(
  db: Db,
  tenantId: string,
  input: ProvisionInput,
  subdomain: string,
  admin: { email: string; passwordHash: string; name: string },
) {
  const plan = TIER_PLAN[input.tier];
  await db.insert(organization).values({
    id: tenantId,
    name: input.companyName,
    slug: subdomain,
    plan: plan.plan,
    maxUsers: plan.maxUsers,
    maxConnections: plan.maxConnections,
    settings: DEFAULT_ORGANIZATION_SETTINGS,
  });
  const [adminRole] = await db
    .select({ id: role.id })
    .from(role)
    .where(and(eq(role.name, "Admin"), isNull(role.organizationId)));
  if (!adminRole) throw new Error("predefined roles are missing");
  await db.insert(user).values({
    email: admin.email,
    name: admin.name,
    passwordHash: admin.passwordHash,
    roleId: adminRole.id,
    organizationId: tenantId,
  });
}

export async function provisionTenant(ctx: PlatformContext, input: ProvisionInput): Promise<ProvisionResult> {
  const control = tenantWrites(ctx.control);
  const base = input.subdomain ?? slugify(input.companyName);
  if (!base) {
    throw new ApiError(
      "VALIDATION_ERROR",
      "The company name has no letters or digits to make a subdomain of; give one",
      {
        fields: [{ path: "subdomain", message: "required for this company name", code: "custom" }],
      },
    );
  }
  if (RESERVED_SUBDOMAINS.has(base)) {
    throw new ApiError("SUBDOMAIN_RESERVED", `"${base}" is a reserved name; choose another subdomain`, {
      subdomain: base,
    });
  }
  const subdomain = input.subdomain ? base : await uniqueSubdomain(base, control.subdomainTaken);
  if (input.subdomain && (await control.subdomainTaken(subdomain)))
    throw new ApiError("CONFLICT", `The subdomain "${subdomain}" is taken`);

  const generated = input.adminPassword ? null : randomToken(18);
  const admin = {
    email: input.adminEmail ?? `admin@${subdomain}.local`,
    passwordHash: await hashPassword(input.adminPassword ?? (generated as string)),
    name: input.adminName ?? input.contactName ?? "Administrator",
  };
  const { dataKey, wrapped, masterKeyId } = await createTenantDataKey(ctx.env);
  const supplied = input.dbHost !== undefined;
  const dedicated = input.driverType === "postgresql" && (supplied || DEDICATED_TIERS.has(input.tier));
  let cfg: DbConfig | null = null;
  if (supplied) {
    cfg = {
      host: input.dbHost as string,
      port: input.dbPort ?? (input.driverType === "mongodb" ? 27017 : 5432),
      database: input.dbName as string,
      username: input.dbUsername as string,
      password: input.dbPassword as string,
    };
  } else if (dedicated) {
    cfg = { ...platformServer(ctx.env.DATABASE_URL), database: `tenant_${subdomain.replace(/-/g, "_")}` };
  }
  const features = [...new Set(input.features ?? TIER_FEATURES[input.tier])];
  const row = {
    companyName: input.companyName,
    subdomain,
    tier: input.tier,
    status: "provisioning" as const,
    contactName: input.contactName ?? null,
    contactEmail: input.contactEmail ?? input.adminEmail ?? null,
    contactPhone: input.contactPhone ?? null,
    rut: input.rut ?? null,
    driverType: input.driverType,
    dbMode: dedicated ? ("dedicated" as const) : ("pooled" as const),
    dbConfigEncrypted: cfg ? await encryptString(dataKey, JSON.stringify(cfg)) : null,
    dataKeyWrapped: wrapped,
    masterKeyId,
  };

  let tenantId: string;
  if (!dedicated) {
    // Pooled: one transaction in the platform database — it all exists, or none of it does.
    tenantId = await ctx.control.transaction(async (tx) => {
      const writes = tenantWrites(tx as unknown as Db);
      const id = await writes.insert({ ...row, status: "active" });
      await writes.addFeatures(id, features);
      await seedTenantData(tx as unknown as Db, id, input, subdomain, admin);
      return id;
    });
  } else {
    tenantId = await control.insert(row);
    let created = false;
    try {
      const dbCfg = cfg as DbConfig;
      created = (await prepareDedicated(dbCfg)).created;
      await withDb(dbCfg, async (db) => {
        try {
          await applyMigrations(db, "tenant");
          await seedPredefinedRoles(db);
          await seedTenantData(db, tenantId, input, subdomain, admin);
        } catch (err) {
          throw err instanceof ApiError ? err : dbError(err, dbCfg);
        }
      });
      await control.addFeatures(tenantId, features);
      await control.activate(tenantId);
    } catch (err) {
      await control.remove(tenantId);
      if (created && cfg) await dropDedicated(cfg);
      throw err;
    }
  }
  invalidateTenant({ id: tenantId, subdomain });
  return {
    tenant: { id: tenantId, companyName: input.companyName, subdomain, tier: input.tier },
    database: { mode: dedicated ? "dedicated" : "pooled", driverType: input.driverType },
    features,
    initialAdmin: { email: admin.email, ...(generated ? { password: generated } : {}) },
  };
}
