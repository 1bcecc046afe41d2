// The contract of tenant administration (/api/admin/tenants). Provisioning keeps the orchestrator seed's
// own example verbatim — request and answer in camelCase (`companyName`, `driverType`, `dbHost`…,
// `{ message, tenant: { id, companyName, subdomain, tier } }`) — and the whole of that one operation
// follows it, so that no single body mixes two casings. `PATCH …/features` takes the seed's
// `{ features: [...] }`. Everything else is snake_case like the rest of the API.
import { z } from "zod";
import { Id, pageQuery, pageSchema, Timestamp } from "../contract/schemas.ts";
import { SUBDOMAIN_RE } from "../tenancy/slug.ts";
import { validRut } from "./rut.ts";

export const Tier = z.enum(["free", "silver", "gold", "platinum"]);
export const TenantStatus = z.enum(["provisioning", "active", "suspended", "failed"]);
export const DriverType = z.enum(["postgresql", "mongodb"]);
export const DbMode = z.enum(["pooled", "dedicated"]);

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
const HOST_RE =
  /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$|^\[?[0-9a-fA-F:.]+\]?$/;
export const Feature = z.string().regex(/^[a-z0-9][a-z0-9_.:-]{0,63}$/, "lowercase letters, digits, - _ . :");

const DB_FIELDS = ["dbHost", "dbName", "dbUsername", "dbPassword"] as const;

export const ProvisionBody = z
  .object({
    companyName: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .refine((s) => !CONTROL.test(s), "no control characters"),
    tier: Tier,
    driverType: DriverType.default("postgresql"),
    dbHost: z.string().trim().regex(HOST_RE, "a host name or IP address").optional(),
    dbPort: z.number().int().min(1).max(65535).optional(),
    dbName: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/, "letters, digits, _ and -, at most 63")
      .optional(),
    dbUsername: z.string().min(1).max(63).optional(),
    dbPassword: z.string().min(1).max(1024).optional(),
    adminEmail: z.string().trim().toLowerCase().email().max(254).optional(),
    adminPassword: z.string().min(12).max(256).optional(),
    adminName: z.string().trim().min(1).max(200).optional(),
    subdomain: z.string().trim().toLowerCase().regex(SUBDOMAIN_RE, "a DNS label").optional(),
    contactName: z.string().trim().max(200).optional(),
    contactEmail: z.string().trim().email().max(254).optional(),
    contactPhone: z.string().trim().max(40).optional(),
    rut: z.string().trim().refine(validRut, "not a valid RUT (e.g. 76.123.456-0)").optional(),
    features: z.array(Feature).max(100).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    const given = DB_FIELDS.filter((k) => b[k] !== undefined);
    if (given.length > 0 && given.length < DB_FIELDS.length) {
      for (const k of DB_FIELDS) {
        if (b[k] === undefined)
          ctx.addIssue({ code: "custom", path: [k], message: "required with the other database fields" });
      }
    }
    if (b.dbPort !== undefined && given.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["dbPort"],
        message: "dbPort needs dbHost, dbName, dbUsername, dbPassword",
      });
    }
    if ((b.adminEmail === undefined) !== (b.adminPassword === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["adminPassword"],
        message: "adminEmail and adminPassword go together",
      });
    }
  })
  .meta({ id: "ProvisionRequest" });
export type ProvisionInput = z.output<typeof ProvisionBody>;

export const ProvisionResult = z.object({
  tenant: z.object({ id: Id, companyName: z.string(), subdomain: z.string(), tier: Tier }),
  database: z.object({ mode: DbMode, driverType: DriverType }),
  features: z.array(z.string()),
  /** The first Admin; `password` only when the request gave none (shown once, never stored in clear). */
  initialAdmin: z.object({ email: z.string(), password: z.string().optional() }),
});
export type ProvisionResult = z.infer<typeof ProvisionResult>;

export const Provisioned = ProvisionResult.extend({ message: z.string() }).meta({ id: "ProvisionResponse" });

export const TenantQuery = pageQuery.extend({
  status: TenantStatus.optional(),
  tier: Tier.optional(),
});
export type TenantQuery = z.output<typeof TenantQuery>;

export const TenantSummary = z
  .object({
    id: Id,
    company_name: z.string(),
    subdomain: z.string(),
    tier: Tier,
    status: TenantStatus,
    status_reason: z.string().nullable(),
    driver_type: DriverType,
    db_mode: DbMode,
    features: z.array(z.string()),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "Tenant" });
export type TenantSummary = z.infer<typeof TenantSummary>;

export const TenantPage = pageSchema(TenantSummary);

/** The organization's settings as a super admin sees them: the webhook URL shows only its origin. */
export const OrganizationSettingsView = z.object({
  session_timeout: z.number(),
  auto_record_sessions: z.boolean(),
  require_2fa: z.boolean(),
  allowed_ip_ranges: z.array(z.string()),
  sso_enabled: z.boolean(),
  sso_provider: z.string().nullable(),
  recording_retention_days: z.number().nullable(),
  approval_timeout_ms: z.number().nullable(),
  webhook_url: z.string().nullable(),
});

export const TenantDetail = TenantSummary.extend({
  contact_name: z.string().nullable(),
  contact_email: z.string().nullable(),
  contact_phone: z.string().nullable(),
  rut: z.string().nullable(),
  config: z.record(z.string(), z.unknown()),
  /** Where the tenant's data lives; never the credentials, only whether some are stored. */
  database: z.object({ mode: DbMode, driver_type: DriverType, credentials_stored: z.boolean() }),
  /** The tenant's organization, read from its database; null when that database cannot be read. */
  organization: z
    .object({
      plan: z.enum(["free", "pro", "enterprise"]),
      max_users: z.number().int(),
      max_connections: z.number().int(),
      settings: OrganizationSettingsView,
    })
    .nullable(),
}).meta({ id: "TenantDetail" });
export type TenantDetail = z.infer<typeof TenantDetail>;

export const FeaturesBody = z.object({ features: z.array(Feature).max(100) }).meta({ id: "TenantFeatures" });

export const FeaturesResult = z.object({
  message: z.string(),
  tenant: z.object({ id: Id, subdomain: z.string(), features: z.array(z.string()) }),
});

export const StatusBody = z.object({ reason: z.string().trim().max(500).optional() }).strict();

export const StatusResult = z.object({
  tenant: z.object({ id: Id, subdomain: z.string(), status: TenantStatus }),
});
