// Secrets are write-only: every kind of secret the API accepts or mints is created here (a dedicated
// tenant's database password, the first Admin's and a user's password, a connection password and
// certificate, an SSH private key and its passphrase, the webhook URL's secret path, an API token, an agent
// enrolment token, a TOTP secret and recovery codes), then EVERY GET route of the app — enumerated from
// `app.routes`, so a new route is covered automatically — is called with every known id, as the tenant's
// Admin, as the super admin (platform host and tenant-scoped) and anonymously; no response may contain any
// of them.
import * as OTPAuth from "otpauth";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { app } from "../../workers/app.ts";
import {
  Client,
  createUser,
  loginAs,
  type ProvisionedTenant,
  provision,
  roleIdOf,
  superAdmin,
  tenantClient,
  unique,
} from "../support/api.ts";

const files = import.meta.glob("../fixtures/ssh/*", {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;
const PRIVATE_KEY = files["../fixtures/ssh/ed25519-passphrase"] as string;
const KEY_PASSPHRASE = "correct horse battery staple";

const secrets = new Map<string, string>();
const ids = new Set<string>();
let t: ProvisionedTenant;
let admin: Client;
let root: Client;

function keep(kind: string, value: string | undefined): void {
  if (!value) throw new Error(`no ${kind}`);
  secrets.set(kind, value);
}

beforeAll(async () => {
  root = await superAdmin();
  const dbPassword = inject("customerDb").password;
  t = await provision(root, {
    dbHost: "127.0.0.1",
    dbPort: inject("pgPort"),
    dbName: `secrets_${Date.now()}`,
    dbUsername: inject("customerDb").username,
    dbPassword,
  });
  keep("tenant database password", dbPassword);
  keep("first admin password", t.adminPassword);
  ids.add(t.id);
  admin = await tenantClient(t);

  const u = await createUser(admin, "Technician", { password: "technician-secret-pw-0042" });
  keep("user password", "technician-secret-pw-0042");
  ids.add(u.id);
  ids.add(await roleIdOf(admin, "Technician"));

  const webhookSecret = `hook-${crypto.randomUUID()}`;
  const settings = await admin.patch("/api/settings", {
    settings: { webhook_url: `https://hooks.example/services/${webhookSecret}` },
  });
  expect(settings.status).toBe(200);
  keep("webhook secret path", webhookSecret);

  const key = await admin.post<{ id: string }>("/api/ssh-keys", {
    name: unique("key"),
    private_key: PRIVATE_KEY,
    passphrase: KEY_PASSPHRASE,
  });
  expect(key.status, JSON.stringify(key.body)).toBe(201);
  ids.add(key.body.id);
  const armour = PRIVATE_KEY.trim().split("\n");
  keep("ssh private key", armour[Math.floor(armour.length / 2)]);
  keep("ssh key passphrase", KEY_PASSPHRASE);

  const connPassword = `conn-pw-${crypto.randomUUID()}`;
  const conn = await admin.post<{ id: string }>("/api/connections", {
    name: unique("conn"),
    hostname: "db.example.com",
    username: "root",
    auth_method: "password",
    password: connPassword,
  });
  expect(conn.status, JSON.stringify(conn.body)).toBe(201);
  ids.add(conn.body.id);
  keep("connection password", connPassword);
  const certificate = `-----BEGIN CERTIFICATE-----\ncert-${crypto.randomUUID()}\n-----END CERTIFICATE-----`;
  const certConn = await admin.post<{ id: string }>("/api/connections", {
    name: unique("conn"),
    hostname: "rdp.example.com",
    type: "rdp",
    username: "admin",
    auth_method: "certificate",
    certificate,
  });
  expect(certConn.status, JSON.stringify(certConn.body)).toBe(201);
  ids.add(certConn.body.id);
  keep("connection certificate", certificate.split("\n")[1]);

  const token = await admin.post<{ id: string; token: string }>("/api/auth/tokens", { name: "sweep" });
  expect(token.status).toBe(201);
  ids.add(token.body.id);
  keep("api token", token.body.token);

  const enrol = await admin.post<{ id: string; token: string }>("/api/agents/enrollment-tokens", {
    name: "sweep",
  });
  expect(enrol.status, JSON.stringify(enrol.body)).toBe(201);
  ids.add(enrol.body.id);
  keep("agent enrolment token", enrol.body.token);

  const twoFa = await loginAs(t, { email: u.email, password: "technician-secret-pw-0042" });
  const enrolled = await twoFa.post<{ secret: string }>("/api/auth/2fa/enroll");
  keep("totp secret", enrolled.body.secret);
  const code = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(enrolled.body.secret) }).generate();
  const verified = await twoFa.post<{ recovery_codes: string[] }>("/api/auth/2fa/verify", { code });
  expect(verified.status).toBe(200);
  keep("recovery code", verified.body.recovery_codes[0]);
});

/** Every GET route of the app, each `:param` filled with every known id (or a placeholder). */
function getPaths(): string[] {
  const paths = new Set<string>();
  for (const r of app.routes) {
    if (r.method !== "GET" || !r.path.startsWith("/api/")) continue;
    if (!r.path.includes(":")) {
      paths.add(r.path);
      continue;
    }
    for (const id of ids) paths.add(r.path.replace(/:[A-Za-z_]+/g, id));
  }
  paths.add("/api/tenant/data");
  for (const table of ["user", "connection", "ssh_key", "organization", "audit_log", "session"]) {
    paths.add(`/api/tenant/data?table=${table}`);
  }
  return [...paths];
}

describe("secrets are write-only in every response", () => {
  it("no GET response of any route, for any caller, contains any secret", async () => {
    expect(secrets.size).toBe(12);
    const tenantScopedRoot = new Client("localhost");
    tenantScopedRoot.cookie = root.cookie;
    const callers: [string, Client, Record<string, string>][] = [
      ["tenant admin", admin, {}],
      ["super admin", root, {}],
      ["super admin naming the tenant", tenantScopedRoot, { "x-tenant-id": t.id }],
      ["anonymous on the tenant host", new Client(`${t.subdomain}.localhost`), {}],
    ];
    const paths = getPaths();
    expect(paths.length).toBeGreaterThan(30);
    let checked = 0;
    // Callers side by side (each one's requests in order): the sweep is ~800 requests.
    await Promise.all(
      callers.map(async ([who, client, headers]) => {
        for (const path of paths) {
          const r = await client.get(path, { headers });
          expect(r.status, `${who} GET ${path}`).toBeLessThan(500);
          const text = typeof r.body === "string" ? r.body : JSON.stringify(r.body);
          for (const [kind, value] of secrets) {
            expect(text.includes(value), `${kind} in ${who} GET ${path}`).toBe(false);
          }
          expect(text, `${who} GET ${path}`).not.toContain("PRIVATE KEY");
          checked += 1;
        }
      }),
    );
    expect(checked).toBe(paths.length * callers.length);
  }, 180_000);

  it("the super admin's tenant detail shows that a webhook is set, not its URL", async () => {
    const r = await root.get<{ organization: { settings: Record<string, unknown> } }>(
      `/api/admin/tenants/${t.id}`,
    );
    expect(r.status).toBe(200);
    expect(r.body.organization.settings.webhook_url).toBe("https://hooks.example/…");
  });
});
