// The contract of /api/users: the seed's USER as its organization's people managers see it — never the
// password hash, the 2FA secrets or the recovery codes — and the bodies that create and change one.
import { z } from "zod";
import { AVATAR_URL, BIO, EMAIL, NAME, PASSWORD, TIMEZONE } from "../auth/user-fields.ts";
import { Id, pageQuery, pageSchema, Timestamp } from "../contract/schemas.ts";

export const User = z
  .object({
    id: Id,
    email: z.string(),
    name: z.string(),
    avatar_url: z.string().nullable(),
    bio: z.string().nullable(),
    timezone: z.string(),
    role_id: Id,
    role_name: z.string(),
    organization_id: Id,
    is_active: z.boolean(),
    two_factor_enabled: z.boolean(),
    last_login: Timestamp.nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "User" });
export type User = z.infer<typeof User>;

export const UserQuery = pageQuery.extend({
  active: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional()
    .describe("Only active (true) or inactive (false) users"),
  role: Id.optional().describe("Only users of this role id"),
  search: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe("Text in the email or name (case-insensitive)"),
});
export type UserQuery = z.output<typeof UserQuery>;

export const UserPage = pageSchema(User);

export const UserCreate = z
  .object({
    email: EMAIL,
    password: PASSWORD,
    name: NAME,
    role_id: z.uuid(),
    timezone: TIMEZONE.optional(),
    avatar_url: AVATAR_URL.nullable().optional(),
    bio: BIO.nullable().optional(),
    is_active: z.boolean().optional(),
  })
  .strict();
export type UserCreate = z.output<typeof UserCreate>;

export const UserUpdate = z
  .object({
    email: EMAIL.optional(),
    password: PASSWORD.optional(),
    name: NAME.optional(),
    role_id: z.uuid().optional(),
    timezone: TIMEZONE.optional(),
    avatar_url: AVATAR_URL.nullable().optional(),
    bio: BIO.nullable().optional(),
    is_active: z.boolean().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, "name at least one field to change");
export type UserUpdate = z.output<typeof UserUpdate>;

export const UserDeleted = z.object({
  deleted: z.object({ id: Id, email: z.string() }),
  /** What the deletion ended: the user's logins, their live sockets and their API tokens. */
  ended: z.object({
    logins: z.number().int().min(0),
    sockets: z.number().int().min(0),
    tokens: z.number().int().min(0),
  }),
});

export const UserUnlocked = z.object({
  unlocked: z.object({ id: Id, email: z.string() }),
  /** How many failed logins the cleared counters held. */
  cleared_failures: z.number().int().min(0),
});
