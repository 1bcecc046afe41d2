// A real OpenID Provider for the SSO tests: panva's oidc-provider on a loopback port, with its own
// development login page, open dynamic client registration (each test tenant registers its callback), an
// in-memory account directory and a small `/_test/accounts/:login` endpoint through which a test changes
// a person at the IdP (groups, disabled, the `amr` of their next login) — the administrator's console of a
// real IdP. A disabled account is refused by the IdP itself (access_denied), as Okta or Entra would.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { type KoaContextWithOIDC } from "oidc-provider";

export interface IdpAccount {
  password: string;
  email: string;
  name?: string;
  email_verified?: boolean;
  groups?: string[];
  disabled?: boolean;
  /** The `amr` the next login asserts (e.g. ["pwd", "mfa"]). */
  amr?: string[];
}

export interface Idp {
  issuer: string;
  close(): Promise<void>;
}

const SCOPES = "openid email profile groups";

async function readBody(req: NodeJS.ReadableStream): Promise<string> {
  let data = "";
  for await (const chunk of req) data += chunk;
  return data;
}

export async function startIdp(): Promise<Idp> {
  const accounts = new Map<string, IdpAccount>();
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clientBasedCORS: () => false,
    cookies: { keys: ["nostromo-test-idp-cookie-key"] },
    // amr in every ID token, as Okta and Entra ID send it.
    claims: {
      openid: ["sub", "amr", "auth_time"],
      email: ["email", "email_verified"],
      profile: ["name"],
      groups: ["groups"],
    },
    features: { devInteractions: { enabled: true }, registration: { enabled: true } },
    pkce: { required: () => true },
    async findAccount(_ctx, id) {
      const a = accounts.get(id);
      if (!a) return undefined;
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            email: a.email,
            email_verified: a.email_verified ?? true,
            name: a.name ?? id,
            groups: a.groups ?? [],
          };
        },
      };
    },
    // No consent screen: the organization's own IdP has pre-approved its app (as admins do).
    async loadExistingGrant(ctx) {
      const { oidc } = ctx;
      const accountId = oidc.session?.accountId;
      const clientId = oidc.client?.clientId;
      if (!accountId || !clientId) return undefined;
      const existing = oidc.session?.grantIdFor(clientId);
      if (existing) {
        const grant = await oidc.provider.Grant.find(existing);
        if (grant) return grant;
      }
      const grant = new oidc.provider.Grant({ clientId, accountId });
      grant.addOIDCScope(SCOPES);
      await grant.save();
      return grant;
    },
  });

  // The login form's submission: the directory decides (wrong password or disabled → access_denied).
  provider.use(async (ctx: KoaContextWithOIDC, next) => {
    const submit = ctx.method === "POST" && /^\/interaction\/[^/]+$/.test(ctx.path);
    if (!submit) return next();
    const form = new URLSearchParams(await readBody(ctx.req));
    if (form.get("prompt") !== "login") return next();
    const login = form.get("login") ?? "";
    const a = accounts.get(login);
    let result: Record<string, unknown>;
    if (!a || a.password !== form.get("password"))
      result = { error: "access_denied", error_description: "wrong login or password" };
    else if (a.disabled) result = { error: "access_denied", error_description: "account disabled" };
    else result = { login: { accountId: login, amr: a.amr ?? ["pwd"] } };
    const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(to);
  });

  const oidc = provider.callback();
  server.on("request", (req, res) => {
    const m = /^\/_test\/accounts\/([^/?]+)$/.exec(req.url ?? "");
    if (!m || req.method !== "PUT") return void oidc(req, res);
    readBody(req).then((body) => {
      const login = decodeURIComponent(m[1] ?? "");
      accounts.set(login, { ...accounts.get(login), ...(JSON.parse(body) as IdpAccount) });
      res.writeHead(204).end();
    });
  });

  return {
    issuer,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
