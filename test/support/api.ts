// A small HTTP client for Worker integration tests (runs inside workerd): requests go to the real Worker
// through `exports.default.fetch`; it keeps the sid cookie and CSRF token like a browser would.
import { exports } from "cloudflare:workers";
import { inject } from "vitest";

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
  host?: string;
}

export class Client {
  cookie: string | null = null;
  csrf: string | null = null;
  bearer: string | null = null;
  /** Host header: `localhost` is the platform, `<sub>.localhost` a tenant. */
  constructor(
    public host = "localhost",
    public ip = "203.0.113.10",
  ) {}

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    opts: CallOptions = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = {
      "cf-connecting-ip": this.ip,
      "user-agent": "nostromo-tests",
      ...opts.headers,
    };
    if (this.cookie) headers.cookie = `sid=${this.cookie}`;
    if (this.csrf && method !== "GET") headers["x-csrf-token"] = this.csrf;
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    let body: string | undefined;
    if (opts.rawBody !== undefined) body = opts.rawBody;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined) headers["content-type"] = opts.contentType ?? "application/json";
    const res = await exports.default.fetch(`http://${opts.host ?? this.host}${path}`, {
      method,
      headers,
      body,
    });
    const setCookie = res.headers.get("set-cookie");
    const sid = setCookie ? /(?:^|,\s*)sid=([^;]*)/.exec(setCookie)?.[1] : undefined;
    if (sid !== undefined) this.cookie = sid || null;
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      // not JSON (e.g. CSV export): keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = Record<string, unknown>>(path: string, opts?: CallOptions) {
    return this.call<T>("GET", path, opts);
  }
  post<T = Record<string, unknown>>(path: string, body?: unknown, opts?: CallOptions) {
    return this.call<T>("POST", path, { ...opts, body });
  }
  patch<T = Record<string, unknown>>(path: string, body?: unknown, opts?: CallOptions) {
    return this.call<T>("PATCH", path, { ...opts, body });
  }
  put<T = Record<string, unknown>>(path: string, body?: unknown, opts?: CallOptions) {
    return this.call<T>("PUT", path, { ...opts, body });
  }
  delete<T = Record<string, unknown>>(path: string, opts?: CallOptions) {
    return this.call<T>("DELETE", path, opts);
  }

  async login(email: string, password: string, extra: Record<string, string> = {}): Promise<Reply> {
    const r = await this.post("/api/auth/login", { email, password, ...extra });
    if (r.status === 200) this.csrf = (r.body as { csrfToken: string }).csrfToken;
    return r;
  }
}

export async function superAdmin(): Promise<Client> {
  const c = new Client("localhost");
  const { email, password } = inject("superAdmin");
  const r = await c.login(email, password);
  if (r.status !== 200) throw new Error(`super admin login failed: ${JSON.stringify(r.body)}`);
  return c;
}

let counter = 0;
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 6)}`;
}

export interface ProvisionedTenant {
  id: string;
  subdomain: string;
  adminEmail: string;
  adminPassword: string;
}

/** Provisions a tenant through the real API (pooled unless `extra` names a database) and returns its admin. */
export async function provision(
  admin: Client,
  extra: Record<string, unknown> = {},
): Promise<ProvisionedTenant> {
  const name = unique("Tenant");
  const adminEmail = `${name.toLowerCase()}@example.com`;
  const adminPassword = "correct-horse-battery";
  const r = await admin.post("/api/admin/tenants/provision", {
    companyName: name,
    tier: "gold",
    adminEmail,
    adminPassword,
    ...extra,
  });
  if (r.status !== 201) throw new Error(`provision failed: ${r.status} ${JSON.stringify(r.body)}`);
  const t = (r.body as { tenant: { id: string; subdomain: string } }).tenant;
  return { id: t.id, subdomain: t.subdomain, adminEmail, adminPassword };
}

/** A logged-in client on the tenant's host. */
export async function tenantClient(
  t: ProvisionedTenant,
  email = t.adminEmail,
  password = t.adminPassword,
): Promise<Client> {
  const c = new Client(`${t.subdomain}.localhost`);
  const r = await c.login(email, password);
  if (r.status !== 200) throw new Error(`tenant login failed: ${r.status} ${JSON.stringify(r.body)}`);
  return c;
}
