// A tiny HTTP client for tests and benchmarks against a running stack (Node's fetch): it keeps the `sid`
// cookie and the CSRF token like a browser would and returns status and body as they are, so tests can
// assert on refusals. The product's own client is @nostromo/client.
export class Http {
  cookie = "";
  csrf = "";
  bearer = "";
  constructor(
    public base: string,
    public tenantId?: string,
  ) {}

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown) {
    const headers: Record<string, string> = {};
    if (this.tenantId) headers["x-tenant-id"] = this.tenantId;
    if (this.cookie) headers.cookie = `sid=${this.cookie}`;
    if (this.csrf && method !== "GET") headers["x-csrf-token"] = this.csrf;
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const sid = /(?:^|,\s*)sid=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
    if (sid) this.cookie = sid;
    const text = await res.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // keep text
    }
    return { status: res.status, body: json as T };
  }

  async login(email: string, password: string) {
    const r = await this.call<{ csrf_token: string }>("POST", "/api/auth/login", { email, password });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
    this.csrf = r.body.csrf_token;
    return r;
  }
}
