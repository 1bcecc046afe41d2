// Named contexts (a server × a tenant × a login) in one JSON file readable by its owner only (0600, in a
// 0700 directory): $NOSTROMO_CONFIG, else $XDG_CONFIG_HOME/nostromo/config.json, else
// ~/.config/nostromo/config.json. Credentials live only here; the file is rewritten atomically.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { CliError } from "./errors.ts";

export type Credential =
  | { kind: "cookie"; sid: string; csrf: string; expires_at: string | null }
  | { kind: "token"; token: string };

export interface Context {
  url: string;
  /** Tenant subdomain or id (sent as X-Tenant-ID); absent on the platform (super admins). */
  tenant: string | null;
  credential: Credential;
  user: { email: string; kind: string; name?: string };
}

export interface Config {
  current: string | null;
  contexts: Record<string, Context>;
}

export function configPath(): string {
  if (process.env.NOSTROMO_CONFIG) return process.env.NOSTROMO_CONFIG;
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(base, "nostromo", "config.json");
}

export function loadConfig(): Config {
  const path = configPath();
  if (!existsSync(path)) return { current: null, contexts: {} };
  try {
    const c = JSON.parse(readFileSync(path, "utf8")) as Partial<Config>;
    return { current: c.current ?? null, contexts: c.contexts ?? {} };
  } catch {
    throw new CliError("CONFIG_INVALID", `${path} is not valid JSON; fix or remove it`);
  }
}

export function saveConfig(c: Config): void {
  const path = configPath();
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(c, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** The context to use: --context, then $NOSTROMO_CONTEXT, then the current one. */
export function activeContext(name?: string): { name: string; ctx: Context } {
  const c = loadConfig();
  const pick = name ?? process.env.NOSTROMO_CONTEXT ?? c.current;
  if (!pick) throw new CliError("NOT_LOGGED_IN", "Not signed in: run `nostromo login <url>` first");
  const ctx = c.contexts[pick];
  if (!ctx) throw new CliError("NOT_LOGGED_IN", `No context named "${pick}" (see \`nostromo contexts\`)`);
  return { name: pick, ctx };
}

/** The default name of a context: host, and tenant when there is one (e.g. "demo@localhost:8787"). */
export function contextName(url: string, tenant: string | null): string {
  const host = new URL(url).host;
  return tenant ? `${tenant}@${host}` : host;
}
