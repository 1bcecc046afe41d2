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
  /** The Set-Cookie header of the last response (e.g. to read the trusted-device cookie). */
  lastSetCookie: string | null = null;
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
    this.lastSetCookie = setCookie;
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

  async login(
    email: string,
    password: string,
    extra: Record<string, string> = {},
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const r = await this.post("/api/auth/login", { email, password, ...extra }, { headers });
    if (r.status === 200) this.csrf = (r.body as { csrf_token: string }).csrf_token;
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

// ——— Users of a predefined role and direct database reads (connections, SSH keys, policies tests) ———
import { env as testEnv } from "cloudflare:test";
import { configureNeon, createDb } from "../../db/client.ts";

export type PredefinedRoleName = "Admin" | "Technician" | "Observer";

/** Runs `fn` with a pool on the test database (the pooled tenants' data lives there), then closes it. */
export async function withTestDb<T>(
  fn: (pool: ReturnType<typeof createDb>["pool"]) => Promise<T>,
): Promise<T> {
  configureNeon(testEnv.NEON_WS_PROXY);
  const { pool } = createDb(inject("databaseUrl"));
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

/** The id of a predefined role (shared by every organization). */
export async function predefinedRoleId(name: PredefinedRoleName): Promise<string> {
  return withTestDb(async (pool) => {
    const r = await pool.query<{ id: string }>(
      `select id from "role" where name = $1 and organization_id is null`,
      [name],
    );
    const id = r.rows[0]?.id;
    if (!id) throw new Error(`no predefined role ${name}`);
    return id;
  });
}

/** A new user of `t` with a predefined role, created by `admin` through /api/users, logged in. */
export async function userWithRole(
  t: ProvisionedTenant,
  admin: Client,
  role: PredefinedRoleName,
): Promise<{ client: Client; id: string; email: string }> {
  const email = `${unique(role).toLowerCase()}@example.com`;
  const password = "correct-horse-battery";
  const r = await admin.post<{ id: string }>("/api/users", {
    email,
    password,
    name: `${role} ${email}`,
    role_id: await predefinedRoleId(role),
  });
  if (r.status !== 201) throw new Error(`user creation failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { client: await tenantClient(t, email, password), id: r.body.id, email };
}

// ——— identity helpers (users, roles, addresses, direct SQL) ———

let ipCounter = 0;
/** A fresh client address: failed logins are counted per IP across every test file sharing the database. */
export function uniqueIp(): string {
  ipCounter += 1;
  const r = Math.floor(Math.random() * 0xffff);
  return `10.${r >> 8}.${r & 0xff}.${(ipCounter % 250) + 1}`;
}

/** The id of a role by name, as the tenant sees it through /api/roles. */
export async function roleIdOf(admin: Client, name: string): Promise<string> {
  const r = await admin.get<{ data: { id: string; name: string }[] }>("/api/roles");
  const found = r.body.data?.find((x) => x.name === name);
  if (!found) throw new Error(`no role ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  return found.id;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
}

/** Creates a user of the tenant through POST /api/users with the named role. */
export async function createUser(
  admin: Client,
  role: string,
  extra: Record<string, unknown> = {},
): Promise<TestUser> {
  const email = `${unique("user").toLowerCase()}@example.com`;
  const password = "user-password-12345";
  const r = await admin.post<{ id: string }>("/api/users", {
    email,
    password,
    name: `${role} ${email.slice(5, 12)}`,
    role_id: await roleIdOf(admin, role),
    ...extra,
  });
  if (r.status !== 201) throw new Error(`create user failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { id: r.body.id, email, password };
}

/** A logged-in client of `u` on the tenant's host, from `ip`. */
export async function loginAs(t: ProvisionedTenant, u: { email: string; password: string }, ip?: string) {
  const c = new Client(`${t.subdomain}.localhost`, ip);
  const r = await c.login(u.email, u.password);
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
  return c;
}

/** Direct SQL on the test database (to check what is stored, or to move time along). */
export function sqlQuery<R extends Record<string, unknown> = Record<string, unknown>>(
  text: string,
  params: unknown[] = [],
): Promise<R[]> {
  return withTestDb(async (pool) => (await pool.query(text, params)).rows as R[]);
}
