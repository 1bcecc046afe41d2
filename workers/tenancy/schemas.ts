// The contract of the tenant's own API (/api/tenant, the orchestrator seed's Tenant API): its profile,
// split by who asks, and the read-only view of its database's tables or collections.
import { z } from "zod";
import { Id, Pagination, pageQuery } from "../contract/schemas.ts";

export const SignIn = z.object({
  methods: z.array(z.enum(["password", "sso"])),
  sso_provider: z.string().nullable(),
  two_factor: z.enum(["required", "optional"]),
});

export const TenantInfo = z
  .object({
    id: Id,
    company_name: z.string(),
    subdomain: z.string(),
    /** The organization's display name. */
    name: z.string(),
    logo_url: z.string().nullable(),
    sign_in: SignIn,
    // Only for a login of this tenant or the platform's super admin:
    tier: z.enum(["free", "silver", "gold", "platinum"]).optional(),
    status: z.enum(["provisioning", "active", "suspended", "failed"]).optional(),
    features: z.array(z.string()).optional(),
    plan: z.enum(["free", "pro", "enterprise"]).optional(),
    limits: z.object({ max_users: z.number().int(), max_connections: z.number().int() }).optional(),
    security: z.object({ require_2fa: z.boolean(), sso_enabled: z.boolean() }).optional(),
  })
  .meta({
    id: "TenantInfo",
    description:
      "Anonymous callers (a sign-in page) get what signing in needs; tier, status, features, plan, limits and security need a login of this tenant or the super admin.",
  });
export type TenantInfo = z.infer<typeof TenantInfo>;

export const DataQuery = pageQuery.extend({
  table: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, "a table or collection name")
    .optional()
    .describe("The table or collection to read; without it, the readable ones are listed"),
});
export type DataQuery = z.output<typeof DataQuery>;

const Driver = z.enum(["postgresql", "mongodb"]);

export const TenantTables = z.object({ driver: Driver, tables: z.array(z.string()) });

/** Rows as the tenant's database holds them (its own column names), secret columns left out. */
export const TenantRows = z.object({
  driver: Driver,
  table: z.string(),
  data: z.array(z.record(z.string(), z.unknown())),
  pagination: Pagination,
});

export const TenantData = z.union([TenantTables, TenantRows]).meta({ id: "TenantData" });
