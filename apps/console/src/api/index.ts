// The console's whole API surface. Views import from here only, so moving to the generated client
// (@nostromo/client) replaces this folder and nothing else.
export * from "./auth.ts";
export { pickTenant } from "./client-state.ts";
export * from "./connections.ts";
export * from "./dashboard.ts";
export { ApiFailure } from "./http.ts";
export * from "./logins.ts";
export * from "./monitoring.ts";
export * from "./remote-sessions.ts";
export * from "./ssh-keys.ts";
export * from "./tenants.ts";
export type { Page } from "./wire.ts";
