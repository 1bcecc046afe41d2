// auth.user_sessions (every login of everybody), auth.api_tokens, auth.login_attempts, auth.v_active_sessions.
import { sql } from "drizzle-orm";
import { index, integer, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { authSchema } from "./schemas.ts";

const tstz = (name: string) => timestamp(name, { withTimezone: true });

export const principalTypeEnum = authSchema.enum("principal_type", ["super_admin", "tenant_user"]);

export const userSessions = authSchema.table(
  "user_sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    principalType: principalTypeEnum("principal_type").notNull(),
    userId: uuid("user_id").notNull(),
    // null for super admins; otherwise the tenant whose database holds the user.
    tenantId: uuid("tenant_id"),
    email: text("email").notNull(),
    userName: text("user_name").notNull().default(""),
    roleName: text("role_name").notNull(),
    // SHA-256 of the sid cookie value; the cookie itself is never stored.
    tokenHash: text("token_hash").notNull(),
    ipAddress: text("ip_address").notNull().default(""),
    userAgent: text("user_agent").notNull().default(""),
    createdAt: tstz("created_at").notNull().defaultNow(),
    lastActivityAt: tstz("last_activity_at").notNull().defaultNow(),
    expiresAt: tstz("expires_at").notNull(),
    // Set when 2FA is still owed (require_2fa or the user has 2FA): the login is limited until then.
    pendingStep: text("pending_step"),
    revokedAt: tstz("revoked_at"),
    revokedReason: text("revoked_reason"),
    revokedBy: uuid("revoked_by"),
  },
  (t) => [
    uniqueIndex("idx_user_sessions_token").on(t.tokenHash),
    index("idx_user_sessions_user").on(t.userId),
    index("idx_user_sessions_tenant").on(t.tenantId),
    index("idx_user_sessions_valid").on(t.expiresAt).where(sql`${t.revokedAt} is null`),
  ],
);

export const apiTokens = authSchema.table(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    principalType: principalTypeEnum("principal_type").notNull(),
    userId: uuid("user_id").notNull(),
    tenantId: uuid("tenant_id"),
    name: text("name").notNull(),
    // Shown to identify a token without revealing it (e.g. "nst_ab12").
    prefix: text("prefix").notNull(),
    tokenHash: text("token_hash").notNull(),
    // A subset of the owner's permissions at creation; checked against the owner's current ones too.
    permissions: text("permissions").array().notNull().default(sql`'{}'::text[]`),
    lastUsedAt: tstz("last_used_at"),
    expiresAt: tstz("expires_at"),
    revokedAt: tstz("revoked_at"),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("idx_api_tokens_hash").on(t.tokenHash), index("idx_api_tokens_user").on(t.userId)],
);

// Failed-login counters in fixed windows, per account and per IP (brute-force throttling).
export const loginAttempts = authSchema.table(
  "login_attempts",
  {
    key: text("key").notNull(),
    windowStart: tstz("window_start").notNull(),
    failures: integer("failures").notNull().default(0),
  },
  (t) => [uniqueIndex("idx_login_attempts_key_window").on(t.key, t.windowStart)],
);

export const vActiveSessions = authSchema
  .view("v_active_sessions")
  .as((qb) =>
    qb
      .select()
      .from(userSessions)
      .where(sql`${userSessions.revokedAt} is null and ${userSessions.expiresAt} > now()`),
  );

// Live WebSockets opened by a login, per Durable Object: the kill switch closes them all through their
// object (DELETE /api/sessions/:id). Rows go when the socket closes.
export const loginSockets = authSchema.table(
  "login_sockets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    loginId: uuid("login_id").notNull(),
    objectKind: text("object_kind").notNull(),
    objectName: text("object_name").notNull(),
    openedAt: tstz("opened_at").notNull().defaultNow(),
  },
  (t) => [index("idx_login_sockets_login").on(t.loginId)],
);
