// The CLI's door to the API: @nostromo/client (typed from the API's OpenAPI document) with the context's
// server, tenant and credential; a network failure becomes UNREACHABLE, the API's error body an
// ApiError that keeps its code (errors.ts maps both to exit statuses).
import { ApiError, createClient, type NostromoClient } from "@nostromo/client";
import type { Context } from "./config.ts";
import { CliError } from "./errors.ts";

export interface Target {
  url: string;
  tenant: string | null;
  credential?: Context["credential"];
}

/** A client for `t`: bearer token, or the stored login cookie and its CSRF token. */
export function clientFor(t: Target): NostromoClient {
  const cred = t.credential;
  const fetchOrUnreachable = async (request: Request) => {
    try {
      return await fetch(request);
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? String(err);
      throw new CliError("UNREACHABLE", `Cannot reach ${t.url} (${cause})`);
    }
  };
  const client = createClient({
    baseUrl: t.url,
    fetch: fetchOrUnreachable,
    ...(t.tenant ? { tenant: t.tenant } : {}),
    ...(cred?.kind === "token" ? { token: cred.token } : {}),
  });
  if (cred?.kind === "cookie") {
    client.credentials.sid = cred.sid;
    client.credentials.csrf = cred.csrf;
  }
  return client;
}

/** The headers the viewer socket's upgrade carries (the same credential and tenant as the client's). */
export function headersFor(t: Target): Record<string, string> {
  const h: Record<string, string> = { "user-agent": "nostromo-cli" };
  if (t.tenant) h["x-tenant-id"] = t.tenant;
  if (t.credential?.kind === "token") h.authorization = `Bearer ${t.credential.token}`;
  if (t.credential?.kind === "cookie") h.cookie = `sid=${t.credential.sid}`;
  return h;
}

/** The data of a call that did not throw (the client throws ApiError on every failure). */
export async function data<T>(call: Promise<{ data?: T }>): Promise<T> {
  const r = await call;
  if (r.data === undefined) throw new CliError("EMPTY", "The server sent no answer");
  return r.data;
}

export interface Page<T> {
  data: T[];
  pagination: { page: number; page_size: number; total: number };
}

/** Every item of a paged list, page by page (bounded: at most `max` items). */
export async function all<T>(page: (n: number, size: number) => Promise<Page<T>>, max = 1_000): Promise<T[]> {
  const out: T[] = [];
  for (let n = 1; out.length < max; n++) {
    const p = await page(n, 200);
    out.push(...p.data);
    if (out.length >= p.pagination.total || p.data.length === 0) break;
  }
  return out.slice(0, max);
}

export { ApiError };
