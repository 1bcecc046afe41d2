// The tenant's SSH keys (GET/POST/DELETE /api/ssh-keys, POST /api/ssh-keys/generate). Private keys are
// write-only: imported once, generated on the server, and never in any answer — the console sees the
// name, type, fingerprint and public key only.
import { request } from "./http.ts";
import { field, type Page, pageQuery, str, toPage, type Wire } from "./wire.ts";

export interface SshKeyChoice {
  id: string;
  name: string;
  fingerprint: string;
}

export interface SshKey extends SshKeyChoice {
  keyType: string;
  bits: number;
  comment: string;
  publicKey: string;
  hasPassphrase: boolean;
  createdAt: string;
}

function toKey(r: Wire): SshKey {
  return {
    id: str(r, "id"),
    name: str(r, "name"),
    fingerprint: str(r, "fingerprint"),
    keyType: str(r, "keyType"),
    bits: Number(field(r, "bits") ?? 0),
    comment: str(r, "comment"),
    publicKey: str(r, "publicKey"),
    hasPassphrase: field(r, "hasPassphrase") === true,
    createdAt: str(r, "createdAt"),
  };
}

export async function listSshKeys(): Promise<Page<SshKey>> {
  const body = await request<unknown>("GET", "/api/ssh-keys", { query: pageQuery(1, 200) });
  return toPage(body, toKey);
}

export async function importSshKey(k: {
  name: string;
  privateKey: string;
  passphrase?: string;
}): Promise<SshKey> {
  const body: Wire = { name: k.name, private_key: k.privateKey };
  if (k.passphrase) body.passphrase = k.passphrase;
  return toKey(await request<Wire>("POST", "/api/ssh-keys", { body }));
}

export async function generateSshKey(name: string): Promise<SshKey> {
  return toKey(await request<Wire>("POST", "/api/ssh-keys/generate", { body: { name } }));
}

export async function deleteSshKey(id: string): Promise<void> {
  await request<unknown>("DELETE", `/api/ssh-keys/${encodeURIComponent(id)}`);
}
