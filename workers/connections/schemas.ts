// The contract of /api/connections: the seed's CONNECTION fields, checked field by field on the way in, and
// the connection as the API shows it (flags instead of secrets) on the way out. Which secret goes with
// which auth_method is checked here on create and on the merged state in the update service.
import { z } from "zod";
import { DEFAULT_PORTS } from "../../db/schema/tenant/connection.ts";
import { Id, pageQuery, pageSchema, Timestamp } from "../contract/schemas.ts";

export { DEFAULT_PORTS };

export const connectionTypes = ["ssh", "rdp", "vnc", "telnet"] as const;
export const authMethods = ["password", "ssh_key", "certificate"] as const;
export const environments = ["production", "staging", "development", "test"] as const;
export const statuses = ["active", "inactive", "archived"] as const;

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
const ipv4 = z.ipv4();
const ipv6 = z.ipv6();
const dnsName = z.hostname();

/** A DNS name (RFC 1123 labels), an IPv4 or an IPv6 address; a dotted all-digit name must be a real IPv4. */
export function isHostname(value: string): boolean {
  if (ipv4.safeParse(value).success || ipv6.safeParse(value).success) return true;
  if (/^[\d.]+$/.test(value)) return false;
  return dnsName.safeParse(value).success;
}

export const hostnameField = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(253)
  .refine(isHostname, "must be a DNS name, an IPv4 address or an IPv6 address");

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((v) => !CONTROL.test(v), "must not contain control characters");

export const nameField = text(200);
export const usernameField = text(128);
export const descriptionField = z.string().trim().max(2000).nullable();
export const portField = z.number().int().min(1).max(65535);
export const tagsField = z
  .array(text(64))
  .max(32)
  .transform((tags) => [...new Set(tags)]);
// A secret is taken verbatim: whitespace can be part of a password.
export const passwordField = z.string().min(1).max(1024);
export const certificateField = z
  .string()
  .min(1)
  .max(64 * 1024);

export const createBody = z
  .object({
    name: nameField,
    type: z.enum(connectionTypes).default("ssh"),
    hostname: hostnameField,
    port: portField.optional(),
    username: usernameField,
    auth_method: z
      .enum(authMethods)
      .optional()
      .describe("Required except for telnet, whose user logs in at the server's prompt (then `password`)"),
    password: passwordField.optional(),
    ssh_key_id: z.uuid().optional(),
    certificate: certificateField.optional(),
    description: descriptionField.optional(),
    tags: tagsField.default([]),
    environment: z.enum(environments).default("development"),
    status: z.enum(statuses).default("active"),
    agent_id: z.uuid().nullable().optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.auth_method === undefined && b.type !== "telnet") {
      ctx.addIssue({ code: "custom", path: ["auth_method"], message: "auth_method is required" });
      return;
    }
    const state = { ...b, auth_method: b.auth_method ?? "password" };
    for (const i of authIssues(state)) ctx.addIssue({ code: "custom", path: [i.path], message: i.message });
  })
  .transform((b) => ({ ...b, auth_method: b.auth_method ?? ("password" as const) }));

export const updateBody = z
  .object({
    name: nameField,
    type: z.enum(connectionTypes),
    hostname: hostnameField,
    port: portField,
    username: usernameField,
    auth_method: z.enum(authMethods),
    password: passwordField,
    ssh_key_id: z.uuid(),
    certificate: certificateField,
    description: descriptionField,
    tags: tagsField,
    environment: z.enum(environments),
    status: z.enum(statuses),
    agent_id: z.uuid().nullable(),
  })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, "at least one field to change");

export type UpdateBody = z.output<typeof updateBody>;

interface AuthState {
  type: (typeof connectionTypes)[number];
  auth_method: (typeof authMethods)[number];
  password?: string | undefined;
  ssh_key_id?: string | undefined;
  certificate?: string | undefined;
}

const SECRET_OF = { password: "password", ssh_key: "ssh_key_id", certificate: "certificate" } as const;

/** Telnet stores no credential: the user answers the server's own login prompt at the terminal. */
const TELNET_NO_SECRET = "telnet connections store no credential: the user logs in at the server's prompt";

/**
 * Field problems of an auth configuration: the method's secret must be there (`stored` says which methods
 * already have theirs, on update), the other methods' secrets must not be sent, and SSH keys serve SSH only.
 * A telnet connection takes no secret at all (auth_method `password`: the login at the prompt).
 */
export function authIssues(
  s: AuthState,
  stored: Partial<Record<(typeof authMethods)[number], boolean>> = {},
): { path: string; message: string }[] {
  if (s.type === "telnet") {
    const sent = Object.values(SECRET_OF).filter((field) => s[field] !== undefined);
    const issues: { path: string; message: string }[] = sent.map((field) => ({
      path: field,
      message: TELNET_NO_SECRET,
    }));
    if (s.auth_method !== "password") issues.push({ path: "auth_method", message: TELNET_NO_SECRET });
    return issues;
  }
  const issues: { path: string; message: string }[] = [];
  const needed = SECRET_OF[s.auth_method];
  if (s[needed] === undefined && !stored[s.auth_method]) {
    issues.push({ path: needed, message: `${needed} is required when auth_method is ${s.auth_method}` });
  }
  for (const [method, field] of Object.entries(SECRET_OF)) {
    if (method !== s.auth_method && s[field] !== undefined) {
      issues.push({ path: field, message: `${field} is only used when auth_method is ${method}` });
    }
  }
  if (s.auth_method === "ssh_key" && s.type !== "ssh") {
    issues.push({
      path: "auth_method",
      message: `an SSH key can only authenticate ssh connections, not ${s.type}`,
    });
  }
  return issues;
}

export const listQuery = pageQuery.extend({
  type: z.enum(connectionTypes).optional(),
  status: z.enum(statuses).optional(),
  environment: z.enum(environments).optional(),
  tag: z.string().trim().min(1).max(64).optional(),
  search: z.string().trim().min(1).max(200).optional().describe("Text in the name, hostname or description"),
});
export type ListQuery = z.output<typeof listQuery>;
export type CreateBody = z.output<typeof createBody>;

/** A connection as the API shows it: secrets are write-only, answered as has_password / has_certificate. */
export const Connection = z
  .object({
    id: Id,
    name: z.string(),
    type: z.enum(connectionTypes),
    hostname: z.string(),
    port: z.number().int(),
    username: z.string(),
    auth_method: z.enum(authMethods),
    has_password: z.boolean(),
    ssh_key_id: Id.nullable(),
    has_certificate: z.boolean(),
    description: z.string().nullable(),
    tags: z.array(z.string()),
    environment: z.enum(environments),
    created_by_user_id: Id,
    agent_id: Id.nullable(),
    /** The target's SSH host key pinned on first use (public material); null until a session pins it. */
    host_key: z.string().nullable(),
    status: z.enum(statuses),
    last_used: Timestamp.nullable(),
    total_sessions: z.number().int(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "Connection" });
export type Connection = z.infer<typeof Connection>;

export const ConnectionPage = pageSchema(Connection);

export const ConnectionCheck = z
  .object({
    name: z.enum(["status", "credentials", "agent", "server"]),
    ok: z.boolean(),
    message: z.string(),
  })
  .meta({ id: "ConnectionCheck" });
export type ConnectionCheck = z.infer<typeof ConnectionCheck>;

/** POST /api/connections/:id/test: what was checked, the server (through the agent) last. */
export const ConnectionTestResult = z.object({
  reached: z.boolean(),
  message: z.string(),
  checks: z.array(ConnectionCheck),
});
