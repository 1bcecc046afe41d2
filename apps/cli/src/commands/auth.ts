// login, logout, whoami, contexts: named contexts (server × tenant × login) in the 0600 config file.
import type { Command } from "commander";
import { clientFor, data } from "../api.ts";
import { type Context, type Credential, contextName, loadConfig, saveConfig } from "../config.ts";
import { asCliError, CliError } from "../errors.ts";
import { printJson, table } from "../output.ts";
import { ask, readAllStdin } from "../prompt.ts";
import { globals, targetOf } from "../session-context.ts";
import { ssoLogin } from "./sso-login.ts";

interface LoginOptions {
  tenant?: string;
  email?: string;
  passwordStdin?: boolean;
  totp?: string;
  recoveryCode?: string;
  token?: string;
  sso?: boolean;
  /** commander's --no-browser: false when given. */
  browser: boolean;
  name?: string;
}

type Principal = { email: string; name?: string; kind: string };

function principalOf(p: Principal) {
  return { email: p.email, name: p.name, kind: p.kind };
}

async function passwordLogin(url: string, tenant: string | null, o: LoginOptions): Promise<Context> {
  const email = o.email ?? (await ask("Email: "));
  const password = o.passwordStdin
    ? (await readAllStdin()).replace(/\r?\n$/, "")
    : await ask("Password: ", { hidden: true });
  const client = clientFor({ url, tenant });
  const body: { email: string; password: string; totp?: string; recovery_code?: string } = {
    email,
    password,
  };
  if (o.totp) body.totp = o.totp;
  if (o.recoveryCode) body.recovery_code = o.recoveryCode;
  const login = () => data(client.POST("/api/auth/login", { body }));
  let out: Awaited<ReturnType<typeof login>>;
  try {
    out = await login();
  } catch (err) {
    if (asCliError(err).code !== "TWO_FACTOR_REQUIRED" || o.totp || o.recoveryCode) throw err;
    body.totp = await ask("Authenticator code: ", { hidden: true });
    out = await login();
  }
  const sid = client.credentials.sid;
  if (!sid) throw new CliError("LOGIN_FAILED", "The server did not start a login (no sid cookie)");
  const credential: Credential = { kind: "cookie", sid, csrf: out.csrf_token, expires_at: out.expires_at };
  return { url, tenant, credential, user: principalOf(out.principal) };
}

async function tokenLogin(url: string, tenant: string | null, token: string): Promise<Context> {
  const credential: Credential = { kind: "token", token };
  const me = await data(clientFor({ url, tenant, credential }).GET("/api/auth/me"));
  return { url, tenant, credential, user: principalOf(me.principal) };
}

export function register(program: Command): void {
  program
    .command("login")
    .description(
      "Sign in to a Nostromo server (password + TOTP, single sign-on, or an API token) and make it the current context",
    )
    .argument("[url]", "server URL", process.env.NOSTROMO_URL ?? "http://localhost:8787")
    .option("-t, --tenant <slug>", "the organization (subdomain or id); omit on the platform (super admins)")
    .option("-e, --email <email>", "email (asked when missing)")
    .option("--password-stdin", "read the password from standard input (scripts)")
    .option("--totp <code>", "the authenticator code (asked when the account needs one)")
    .option("--recovery-code <code>", "a 2FA recovery code instead of a TOTP code")
    .option("--token <token>", "an API token instead of a password")
    .option("--sso", "single sign-on through the organization's identity provider (opens the browser)")
    .option("--no-browser", "with --sso: only print the identity provider's URL, do not open a browser")
    .option("--name <context>", "name of the context (default: tenant@host)")
    .action(async (url: string, o: LoginOptions, cmd: Command) => {
      const base = url.replace(/\/+$/, "");
      const tenant = o.tenant ?? null;
      const ctx = o.token
        ? await tokenLogin(base, tenant, o.token)
        : o.sso
          ? await ssoLogin(base, tenant, { browser: o.browser })
          : await passwordLogin(base, tenant, o);
      const name = o.name ?? contextName(base, tenant);
      const cfg = loadConfig();
      cfg.contexts[name] = ctx;
      cfg.current = name;
      saveConfig(cfg);
      if (globals(cmd).json) printJson({ context: name, user: ctx.user });
      else process.stdout.write(`Signed in as ${ctx.user.email} — context "${name}"\n`);
    });

  program
    .command("logout")
    .description("End the login on the server and forget the context")
    .action(async (_o: unknown, cmd: Command) => {
      const cfg = loadConfig();
      const name = globals(cmd).context ?? cfg.current;
      const ctx = name ? cfg.contexts[name] : undefined;
      if (!name || !ctx) throw new CliError("NOT_LOGGED_IN", "Not signed in");
      if (ctx.credential.kind === "cookie") {
        await clientFor(targetOf(cmd))
          .POST("/api/auth/logout")
          .catch((err: unknown) => {
            if (asCliError(err).status !== 401) throw err;
          });
      }
      delete cfg.contexts[name];
      if (cfg.current === name) cfg.current = Object.keys(cfg.contexts)[0] ?? null;
      saveConfig(cfg);
      if (globals(cmd).json) printJson({ logged_out: name });
      else
        process.stdout.write(
          ctx.credential.kind === "token"
            ? `Forgot context "${name}" (the API token itself stays valid until revoked)\n`
            : `Signed out of "${name}"\n`,
        );
    });

  program
    .command("whoami")
    .description("Who the current context is signed in as")
    .action(async (_o: unknown, cmd: Command) => {
      const me = await data(clientFor(targetOf(cmd)).GET("/api/auth/me"));
      if (globals(cmd).json) return printJson(me);
      const p = principalOf(me.principal);
      process.stdout.write(`${p.email}${p.name ? ` (${p.name})` : ""} — ${p.kind}\n`);
    });

  const contexts = program.command("contexts").description("List the saved contexts (* = current)");
  contexts.action((_o: unknown, cmd: Command) => {
    const cfg = loadConfig();
    const rows = Object.entries(cfg.contexts).map(([name, c]) => ({
      current: name === cfg.current ? "*" : "",
      name,
      url: c.url,
      tenant: c.tenant,
      user: c.user.email,
      auth: c.credential.kind,
    }));
    if (globals(cmd).json) return printJson({ current: cfg.current, contexts: rows });
    process.stdout.write(
      `${table(rows, [
        ["current", ""],
        ["name", "NAME"],
        ["url", "URL"],
        ["tenant", "TENANT"],
        ["user", "USER"],
        ["auth", "AUTH"],
      ])}\n`,
    );
  });
  contexts
    .command("use")
    .description("Make a context the current one")
    .argument("<name>")
    .action((name: string) => {
      const cfg = loadConfig();
      if (!cfg.contexts[name]) throw new CliError("NOT_FOUND", `No context named "${name}"`, 404);
      cfg.current = name;
      saveConfig(cfg);
      process.stdout.write(`Current context: ${name}\n`);
    });
}
