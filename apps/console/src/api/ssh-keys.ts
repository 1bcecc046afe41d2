// The tenant's SSH keys (GET/POST/DELETE /api/ssh-keys, POST /api/ssh-keys/generate). Private keys are
// write-only: imported once, generated on the server, and never in any answer — the console sees the
// name, type, fingerprint and public key only.
import { api, ok, type Page, type Schemas } from "./http.ts";

export type SshKey = Schemas["SshKey"];

export function listSshKeys(): Promise<Page<SshKey>> {
  return ok(api.GET("/api/ssh-keys", { params: { query: { page_size: 200 } } }));
}

export function importSshKey(k: { name: string; privateKey: string; passphrase?: string }): Promise<SshKey> {
  const body = { name: k.name, private_key: k.privateKey, passphrase: k.passphrase || undefined };
  return ok(api.POST("/api/ssh-keys", { body }));
}

export function generateSshKey(name: string): Promise<SshKey> {
  return ok(api.POST("/api/ssh-keys/generate", { body: { name } }));
}

export async function deleteSshKey(id: string): Promise<void> {
  await api.DELETE("/api/ssh-keys/{id}", { params: { path: { id } } });
}
