// Public surface of the seed's permission model: the Permission enum, the predefined roles and the role
// matrix. Shared by the Worker (checks), the database seed (predefined roles) and clients (what to offer).
export * from "./permissions.ts";
