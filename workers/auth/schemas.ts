// The contract of /api/auth: the login, who is signed in (a principal as the API shows it — never the login
// session's id, a hash or a secret), the account's own changes (profile, password, TOTP 2FA) and API tokens.
// The `sid` cookie and the x-csrf-token header are the browser's credential; the CSRF token travels in
// `csrf_token`.
import { z } from "zod";
import { Id, pageQuery, pageSchema, Timestamp } from "../contract/schemas.ts";
import { PermissionName } from "../roles/schemas.ts";
import { AVATAR_URL, BIO, NAME, PASSWORD, TIMEZONE } from "./user-fields.ts";

export const LoginBody = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  password: z.string().min(1).max(1024),
  totp: z.string().trim().max(16).optional().describe("The authenticator code, when 2FA is on"),
  recovery_code: z.string().trim().max(64).optional().describe("Instead of totp: a one-time recovery code"),
});
export type LoginBody = z.output<typeof LoginBody>;

const Via = {
  via: z.enum(["cookie", "bearer"]),
  /** The API token in use, when authenticated by one. */
  token_id: Id.nullable(),
};

export const SuperAdminPrincipal = z
  .object({ kind: z.literal("super_admin"), id: Id, email: z.string(), name: z.string(), ...Via })
  .meta({ id: "SuperAdminPrincipal" });

const PendingStep = z
  .enum(["2fa_enroll"])
  .nullable()
  .describe('"2fa_enroll" while the organization requires 2FA the user has not set up');

export const UserPrincipal = z
  .object({
    kind: z.literal("user"),
    id: Id,
    email: z.string(),
    name: z.string(),
    tenant_id: Id,
    role_id: Id,
    role_name: z.string(),
    /** Effective permissions: the role's, narrowed to the token's subset for API tokens. */
    permissions: z.array(PermissionName),
    /** Permissions that hold only for the user's own resources. */
    own_only: z.array(PermissionName),
    pending_step: PendingStep,
    ...Via,
  })
  .meta({ id: "UserPrincipal" });

export const Principal = z.discriminatedUnion("kind", [SuperAdminPrincipal, UserPrincipal]);
export type Principal = z.infer<typeof Principal>;

export const LoginAnswer = z
  .object({
    principal: Principal,
    pending_step: PendingStep,
    /** Send it as the x-csrf-token header on every cookie-authenticated change. */
    csrf_token: z.string(),
    expires_at: Timestamp,
  })
  .meta({ id: "Login" });
export type LoginAnswer = z.infer<typeof LoginAnswer>;

const Profile = {
  avatar_url: z.string().nullable(),
  bio: z.string().nullable(),
  timezone: z.string(),
  two_factor_enabled: z.boolean(),
  last_login: Timestamp.nullable(),
};

export const Me = z
  .object({
    principal: z.discriminatedUnion("kind", [SuperAdminPrincipal, UserPrincipal.extend(Profile)]),
    /** null when authenticated by a bearer token. */
    csrf_token: z.string().nullable(),
  })
  .meta({ id: "Me" });
export type Me = z.infer<typeof Me>;

export const ProfileBody = z
  .object({
    name: NAME.optional(),
    avatar_url: AVATAR_URL.nullable().optional(),
    bio: BIO.nullable().optional(),
    timezone: TIMEZONE.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, "name at least one field to change");
export type ProfileBody = z.output<typeof ProfileBody>;

export const PasswordBody = z
  .object({ current_password: z.string().min(1).max(1024), new_password: PASSWORD })
  .strict()
  .refine((b) => b.current_password !== b.new_password, {
    path: ["new_password"],
    message: "must differ from the current password",
  });
export type PasswordBody = z.output<typeof PasswordBody>;

export const PasswordChanged = z.object({
  ok: z.literal(true),
  /** How many other logins of the user the change ended (tenant users). */
  other_logins_ended: z.number().int().min(0).optional(),
});

export const CodeBody = z.object({ code: z.string().trim().min(6).max(64) });

export const TwoFactorEnrolment = z.object({
  /** The TOTP secret (base32), shown once, to type into an authenticator. */
  secret: z.string(),
  otpauth_uri: z.string(),
});
export const TwoFactorEnabled = z.object({
  enabled: z.literal(true),
  /** Ten one-time codes, shown once. */
  recovery_codes: z.array(z.string()),
});
export const TwoFactorDisabled = z.object({ enabled: z.literal(false) });

export const TokenBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    permissions: z.array(z.string()).max(50).optional().describe("A subset of yours; default: all of yours"),
    expires_in_days: z.number().int().min(1).max(3650).optional(),
  })
  .strict();
export type TokenBody = z.output<typeof TokenBody>;

export const ApiToken = z
  .object({
    id: Id,
    name: z.string(),
    /** The token's first characters, to recognise it. */
    prefix: z.string(),
    permissions: z.array(z.string()),
    last_used_at: Timestamp.nullable(),
    expires_at: Timestamp.nullable(),
    revoked_at: Timestamp.nullable(),
    created_at: Timestamp,
  })
  .meta({ id: "ApiToken" });
export type ApiToken = z.infer<typeof ApiToken>;

export const NewApiToken = ApiToken.extend({
  /** The token itself: shown once, never stored. */
  token: z.string(),
});

export const TokenQuery = pageQuery;
export const TokenPage = pageSchema(ApiToken);
