// The person's browser at the identity provider, for tests that drive an SSO code flow over HTTP: keeps
// the IdP's cookies, follows its redirects, submits its login form, and stops at the first redirect that
// leaves the IdP (the relying party's callback). Uses fetch only: runs in workerd and in Node alike.
export class IdpBrowser {
  private cookies = new Map<string, string>();
  constructor(private readonly issuer: string) {}

  private async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair?.indexOf("=") ?? -1;
      if (pair && eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return res;
  }

  /** Follows redirects within the IdP; answers the last IdP page, or the URL it redirected away to. */
  private async follow(res: Response, from: string): Promise<{ page: string; url: string } | { away: URL }> {
    let url = from;
    let r = res;
    for (let hops = 0; hops < 10; hops++) {
      const location = r.headers.get("location");
      if (r.status < 300 || r.status >= 400 || !location) return { page: await r.text(), url };
      const next = new URL(location, url);
      await r.body?.cancel();
      if (next.origin !== new URL(this.issuer).origin) return { away: next };
      url = next.href;
      r = await this.fetch(url);
    }
    throw new Error("too many redirects at the IdP");
  }

  /** Opens the authorization URL and signs in on the IdP's login form; the URL it sends the browser to. */
  async signIn(authorizationUrl: string, login: string, password: string): Promise<URL> {
    const first = await this.follow(await this.fetch(authorizationUrl), authorizationUrl);
    if ("away" in first) return first.away;
    const action = /<form[^>]*action="([^"]+)"/.exec(first.page)?.[1];
    if (!action) throw new Error(`no login form at the IdP: ${first.page.slice(0, 300)}`);
    const submitUrl = new URL(action.replaceAll("&amp;", "&"), first.url).href;
    const res = await this.fetch(submitUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ prompt: "login", login, password }).toString(),
    });
    const after = await this.follow(res, submitUrl);
    if ("away" in after) return after.away;
    throw new Error(`the IdP did not redirect back: ${after.page.slice(0, 300)}`);
  }
}

/** Creates or changes a person at the test IdP (test/support/oidc-idp.ts). */
export async function setIdpAccount(issuer: string, login: string, account: Record<string, unknown>) {
  const res = await fetch(`${issuer}/_test/accounts/${encodeURIComponent(login)}`, {
    method: "PUT",
    body: JSON.stringify(account),
  });
  if (res.status !== 204) throw new Error(`IdP account change failed: ${res.status}`);
}

/** Registers a confidential client at the IdP for `redirectUri` (dynamic registration). */
export async function registerClient(
  issuer: string,
  redirectUri: string,
): Promise<{ client_id: string; client_secret: string }> {
  const res = await fetch(`${issuer}/reg`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    }),
  });
  const body = (await res.json()) as { client_id: string; client_secret: string };
  if (res.status !== 201)
    throw new Error(`client registration failed: ${res.status} ${JSON.stringify(body)}`);
  return body;
}
