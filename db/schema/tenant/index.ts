// The tenant database schema (public schema): the same in the pooled database and in a dedicated one.
export * from "./audit-log.ts";
export * from "./command.ts";
export * from "./connection.ts";
export * from "./enums.ts";
export * from "./organization.ts";
export * from "./policy.ts";
export * from "./relations.ts";
export * from "./role.ts";
export * from "./session.ts";
export * from "./session-recording.ts";
export * from "./session-viewer.ts";
export * from "./ssh-key.ts";
export * from "./sso-provider.ts";
export * from "./user.ts";
