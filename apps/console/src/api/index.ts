// The console's whole API surface, every call typed by @nostromo/client from the OpenAPI document. Views
// import from here only.
export * from "./agents.ts";
export * from "./audit.ts";
export * from "./auth.ts";
export { pickTenant } from "./client-state.ts";
export * from "./commands.ts";
export * from "./connections.ts";
export * from "./dashboard.ts";
export { ApiFailure, type Page } from "./http.ts";
export * from "./logins.ts";
export * from "./monitoring.ts";
export * from "./platform-sessions.ts";
export * from "./policies.ts";
export * from "./recordings.ts";
export * from "./remote-sessions.ts";
export * from "./roles.ts";
export * from "./settings.ts";
export * from "./ssh-keys.ts";
export * from "./sso.ts";
export * from "./tenants.ts";
export * from "./users.ts";
