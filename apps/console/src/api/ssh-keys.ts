// The tenant's SSH keys, as the connection form offers them (name and fingerprint; never key material).
import { request } from "./http.ts";
import { type Page, pageQuery, str, toPage } from "./wire.ts";

export interface SshKeyChoice {
  id: string;
  name: string;
  fingerprint: string;
}

export async function listSshKeys(): Promise<Page<SshKeyChoice>> {
  const body = await request<unknown>("GET", "/api/ssh-keys", { query: pageQuery(1, 200) });
  return toPage(body, (r) => ({
    id: str(r, "id"),
    name: str(r, "name"),
    fingerprint: str(r, "fingerprint"),
  }));
}
