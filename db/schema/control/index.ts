// The control-plane schema: tenants, super admins, agents (command); logins and tokens (auth); monitoring.
export * from "./agents.ts";
export * from "./auth.ts";
export * from "./jobs.ts";
export * from "./monitoring.ts";
export * from "./schemas.ts";
export * from "./tenants.ts";
