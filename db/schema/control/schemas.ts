// The control plane's PostgreSQL schemas (nostromo-command.md): command, auth, monitoring.
import { pgSchema } from "drizzle-orm/pg-core";

export const commandSchema = pgSchema("command");
export const authSchema = pgSchema("auth");
export const monitoringSchema = pgSchema("monitoring");
