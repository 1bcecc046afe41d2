// The tenant's connections (GET/POST /api/connections). Secrets are write-only: the server answers with
// has_password / has_certificate, never the secret.
import { api, ok, type Page, type Schemas } from "./http.ts";

export const CONNECTION_TYPES = ["ssh", "rdp", "vnc", "telnet"] as const;
export const ENVIRONMENTS = ["production", "staging", "development", "test"] as const;

export type Connection = Schemas["Connection"];

export function listConnections(search = "", page = 1, pageSize = 100): Promise<Page<Connection>> {
  return ok(
    api.GET("/api/connections", {
      params: { query: { page, page_size: pageSize, search: search || undefined } },
    }),
  );
}

export interface NewConnection {
  name: string;
  type: (typeof CONNECTION_TYPES)[number];
  hostname: string;
  port?: number;
  username: string;
  authMethod: "password" | "ssh_key";
  password?: string;
  sshKeyId?: string;
  environment: (typeof ENVIRONMENTS)[number];
  description?: string;
  tags: string[];
}

export function createConnection(c: NewConnection): Promise<Connection> {
  const body = {
    name: c.name,
    type: c.type,
    hostname: c.hostname,
    port: c.port || undefined,
    username: c.username,
    auth_method: c.authMethod,
    password: c.authMethod === "password" ? c.password : undefined,
    ssh_key_id: c.authMethod === "ssh_key" ? c.sshKeyId : undefined,
    environment: c.environment,
    description: c.description || undefined,
    tags: c.tags,
  };
  return ok(api.POST("/api/connections", { body }));
}
