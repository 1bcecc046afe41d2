// The CLI's HTTP calls: JSON in and out, the context's credential and tenant on every request, the API's
// error body turned into a CliError that keeps its code.
import type { Context } from "./config.ts";
import { CliError } from "./errors.ts";

export interface Target {
  url: string;
  tenant: string | null;
  credential?: Context["credential"];
}

export function headersFor(t: Target, method = "GET"): Record<string, string> {
  const h: Record<string, string> = { "user-agent": "nostromo-cli" };
  if (t.tenant) h["x-tenant-id"] = t.tenant;
  const cred = t.credential;
  if (cred?.kind === "token") h.authorization = `Bearer ${cred.token}`;
  if (cred?.kind === "cookie") {
    h.cookie = `sid=${cred.sid}`;
    if (method !== "GET" && method !== "HEAD") h["x-csrf-token"] = cred.csrf;
  }
  return h;
}

export async function send(t: Target, method: string, path: string, body?: unknown): Promise<Response> {
  const headers = headersFor(t, method);
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(new URL(path, t.url), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? String(err);
    throw new CliError("UNREACHABLE", `Cannot reach ${t.url} (${cause})`);
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

export async function errorOf(res: Response): Promise<CliError> {
  const text = await res.text();
  try {
    const e = (JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown } }).error;
    if (e?.code) return new CliError(e.code, e.message ?? e.code, res.status, e.details);
  } catch {
    // not the error body
  }
  return new CliError(
    `HTTP_${res.status}`,
    `The server answered ${res.status} ${res.statusText}`,
    res.status,
  );
}

export async function call<T>(t: Target, method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(t, method, path, body);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export interface Page<T> {
  data: T[];
  pagination?: { page: number; page_size: number; total: number };
}

/** Every item of a paged list (bounded: at most `max` items). */
export async function all<T>(t: Target, path: string, max = 1_000): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; out.length < max; page++) {
    const sep = path.includes("?") ? "&" : "?";
    const p = await call<Page<T>>(t, "GET", `${path}${sep}page=${page}&page_size=200`);
    out.push(...p.data);
    if (!p.pagination || out.length >= p.pagination.total || p.data.length === 0) break;
  }
  return out.slice(0, max);
}
