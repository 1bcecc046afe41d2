// `nostromo login --sso`: single sign-on from a terminal with a loopback redirect (RFC 8252). The CLI
// listens on 127.0.0.1 (a free port), starts the sign-in naming that listener, opens the identity
// provider's URL in the person's browser ($BROWSER, else the platform's opener; `--no-browser` only prints
// it), always prints it too (for a browser on another machine), and waits. After the person signs in at the
// IdP, the server forwards the IdP's answer to the listener (the browser holds no state cookie): an OIDC
// code as a redirect (GET), a SAML Response as a repeated form post (POST). The CLI — which holds the
// cookie — presents it to the server itself (the OIDC callback, the SAML ACS): the answer's `sid` cookie
// becomes the context's credential, exactly as a password login's.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { clientFor, data } from "../api.ts";
import { openBrowser } from "../browser.ts";
import type { Context } from "../config.ts";
import { CliError } from "../errors.ts";

const WAIT_MS = 5 * 60 * 1000;

const MAX_FORM_BYTES = 1024 * 1024;

interface Arrival {
  query: string;
  /** The form a SAML answer is posted with (urlencoded), null for an OIDC redirect. */
  form: string | null;
  res: ServerResponse;
}

function readForm(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > MAX_FORM_BYTES) {
        req.destroy();
        resolve(null);
      }
    });
    req.on("end", () => resolve(body));
    req.on("error", () => resolve(null));
  });
}

/** The first request to /callback on a loopback listener: its query or form, and how to answer the browser. */
async function listen() {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const arrived = new Promise<Arrival>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new CliError("SSO_TIMEOUT", "No answer from the browser in 5 minutes")),
      WAIT_MS,
    );
    server.on("request", async (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
      if (url.pathname !== "/callback") return void res.writeHead(404).end();
      const form = req.method === "POST" ? await readForm(req) : null;
      if (req.method === "POST" && form === null) return void res.writeHead(413).end();
      clearTimeout(timer);
      resolve({ query: url.search, form, res });
    });
  });
  return { redirect: `http://127.0.0.1:${port}/callback`, arrived, close: () => server.close() };
}

/** How the sign-in started: the cookie the server set, which names the protocol. */
type Started = { kind: "oidc"; state: string } | { kind: "saml"; requestId: string };

function startedFrom(setCookie: string): Started | null {
  const state = /sso_state=([^;]+)/.exec(setCookie)?.[1];
  if (state) return { kind: "oidc", state };
  const requestId = /sso_saml=([^;]+)/.exec(setCookie)?.[1];
  return requestId ? { kind: "saml", requestId } : null;
}

/**
 * Presents the IdP's answer with the CLI's cookie: the OIDC callback (GET) or the SAML ACS (POST). Both
 * answer a browser redirect (303), which the typed client treats as a failure, so this one call is a plain
 * fetch that reads the cookie and Location.
 */
async function redeem(url: string, tenant: string | null, got: Arrival, started: Started): Promise<string> {
  const headers: Record<string, string> = { "user-agent": "nostromo-cli" };
  if (tenant) headers["x-tenant-id"] = tenant;
  let back: Response;
  try {
    if (started.kind === "oidc") {
      headers.cookie = `sso_state=${started.state}`;
      back = await fetch(`${url}/api/auth/sso/callback${got.query}`, { headers, redirect: "manual" });
    } else {
      headers.cookie = `sso_saml=${started.requestId}`;
      headers["content-type"] = "application/x-www-form-urlencoded";
      back = await fetch(`${url}/api/auth/sso/saml/acs`, {
        method: "POST",
        headers,
        body: got.form ?? "",
        redirect: "manual",
      });
    }
  } catch (err) {
    throw new CliError("UNREACHABLE", `Cannot reach ${url} (${String(err)})`);
  }
  await back.body?.cancel();
  const refused = new URL(back.headers.get("location") ?? "/", url).searchParams.get("sso_error");
  const sid = /(?:^|,\s*)sid=([^;]+)/.exec(back.headers.get("set-cookie") ?? "")?.[1];
  if (back.status !== 303 || refused || !sid)
    throw new CliError(
      "LOGIN_FAILED",
      `Single sign-on failed: ${refused ?? `the server answered ${back.status}`}`,
    );
  return sid;
}

export async function ssoLogin(
  url: string,
  tenant: string | null,
  o: { browser: boolean } = { browser: true },
): Promise<Context> {
  const listener = await listen();
  try {
    const client = clientFor({ url, tenant });
    const started = await client.POST("/api/auth/sso/start", { body: { cli_redirect: listener.redirect } });
    if (!started.data) throw new CliError("EMPTY", "The server sent no answer");
    const how = startedFrom(started.response.headers.get("set-cookie") ?? "");
    if (!how) throw new CliError("LOGIN_FAILED", "The server did not start a single sign-on (no state)");
    const address = started.data.authorization_url;
    const opened = o.browser && (await openBrowser(address));
    process.stderr.write(
      opened
        ? `Your browser was opened to sign in. If it did not, open this address:\n\n  ${address}\n\n`
        : `Open this address in a browser to sign in:\n\n  ${address}\n\n`,
    );
    const got = await listener.arrived;
    const { res } = got;
    let sid: string | undefined;
    try {
      sid = await redeem(url, tenant, got, how);
    } catch (err) {
      res.writeHead(400, { "content-type": "text/plain" }).end(`${(err as Error).message}\n`);
      throw err;
    }
    res
      .writeHead(200, { "content-type": "text/plain" })
      .end("Signed in to Nostromo. You can close this tab.\n");
    client.credentials.sid = sid;
    const me = await data(client.GET("/api/auth/me"));
    return {
      url,
      tenant,
      credential: { kind: "cookie", sid, csrf: me.csrf_token ?? "", expires_at: null },
      user: { email: me.principal.email, name: me.principal.name, kind: me.principal.kind },
    };
  } finally {
    listener.close();
  }
}
