// drizzle-kit: two migration sets. `control` (command/auth/monitoring schemas, the platform database) and
// `tenant` (public schema, the pooled database and every dedicated tenant database). Pick with DRIZZLE_SET.
import { defineConfig } from "drizzle-kit";

const set = process.env.DRIZZLE_SET === "tenant" ? "tenant" : "control";

export default defineConfig({
  dialect: "postgresql",
  schema: `./db/schema/${set}/index.ts`,
  out: `./db/migrations/${set}`,
  ...(set === "control" ? { schemaFilter: ["command", "auth", "monitoring"] } : { schemaFilter: ["public"] }),
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://localhost/nostromo" },
});
