// The tenant's connections (GET/POST /api/connections). Secrets are write-only: the server answers with
// has_password / has_certificate, never the secret.
import { request } from "./http.ts";
import { field, type Page, pageQuery, str, strings, toPage, type Wire } from "./wire.ts";

export const CONNECTION_TYPES = ["ssh", "rdp", "vnc", "telnet"] as const;
export const ENVIRONMENTS = ["production", "staging", "development", "test"] as const;

export interface Connection {
  id: string;
  name: string;
  type: string;
  hostname: string;
  port: number;
  username: string;
  authMethod: string;
  environment: string;
  status: string;
  tags: string[];
  description: string;
}

function toConnection(r: Wire): Connection {
  return {
    id: str(r, "id"),
    name: str(r, "name"),
    type: str(r, "type"),
    hostname: str(r, "hostname"),
    port: Number(field(r, "port") ?? 0),
    username: str(r, "username"),
    authMethod: str(r, "authMethod"),
    environment: str(r, "environment"),
    status: str(r, "status"),
    tags: strings(r, "tags"),
    description: str(r, "description"),
  };
}

export async function listConnections(search = "", page = 1, pageSize = 100): Promise<Page<Connection>> {
  const body = await request<unknown>("GET", "/api/connections", {
    query: { ...pageQuery(page, pageSize), search: search || undefined },
  });
  return toPage(body, toConnection);
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

export async function createConnection(c: NewConnection): Promise<Connection> {
  const body: Wire = {
    name: c.name,
    type: c.type,
    hostname: c.hostname,
    username: c.username,
    auth_method: c.authMethod,
    environment: c.environment,
    tags: c.tags,
  };
  if (c.port) body.port = c.port;
  if (c.authMethod === "password") body.password = c.password;
  else body.ssh_key_id = c.sshKeyId;
  if (c.description) body.description = c.description;
  return toConnection(await request<Wire>("POST", "/api/connections", { body }));
}
