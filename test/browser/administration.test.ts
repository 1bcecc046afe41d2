// The tenant console's administration views in Chromium against the real stack: "Add an agent" shows a
// one-time token inside the `docker run` line, and that token really enrols an agent (which the list then
// shows and revokes); the permission matrix renders every role and a custom role is created and edited from
// it; an organization settings change is saved and read back, the webhook URL never shown again.
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Http } from "../e2e/harness.ts";
import { type ConsoleEnv, fitsWidth, screenshot, signIn, startConsole } from "./harness.ts";

let env: ConsoleEnv;

beforeAll(async () => {
  env = await startConsole("console-admin");
});
afterAll(async () => {
  await env?.close();
});

it("creates an enrolment token shown once in a docker run line; the token enrols an agent, then revoked", async () => {
  const page = await (await env.context()).newPage();
  await page.goto(`${env.demo}/agents`);
  await signIn(page, env.demoAdmin);
  await page.getByRole("heading", { name: "Agents" }).waitFor();
  await page.getByText("No agents yet.").waitFor();
  await page.getByRole("button", { name: "Add an agent" }).click();
  await page.getByLabel("Agent name").fill("edge-eu-1");
  await page.getByRole("button", { name: "Create enrolment token" }).click();
  const line = (await page.locator("#docker-run-line").textContent()) ?? "";
  expect(line).toMatch(/^docker run -d /);
  expect(line).toContain(`-e NOSTROMO_URL=${env.demo} `);
  expect(line).toContain("-e NOSTROMO_AGENT_NAME=edge-eu-1 ");
  expect(line).toContain("-v nostromo-agent:/var/lib/nostromo-agent nostromo-agent");
  const token = /NOSTROMO_ENROLL_TOKEN=(\S+)/.exec(line)?.[1] ?? "";
  expect(token.length).toBeGreaterThan(20);
  await screenshot(page, "tenant-agent-enrol");

  // The token in the line is the real one: an agent enrols with it, as the container would.
  const raw = generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const enrolled = await new Http(env.e2e.stack.url).call("POST", "/api/agents/enroll", {
    token,
    publicKey: raw.toString("base64"),
    hostname: "edge-eu-1.internal",
    version: "1.2.3",
    os: "linux",
    name: "edge-eu-1",
  });
  expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(201);

  await page.getByRole("button", { name: "Done" }).click();
  const row = page.locator("tr", { hasText: "edge-eu-1" });
  await row.waitFor();
  expect(await row.locator("td").allTextContents()).toEqual(
    expect.arrayContaining(["offline", "edge-eu-1.internal", "1.2.3", "never"]),
  );
  await screenshot(page, "tenant-agents");
  await row.getByRole("button", { name: /Revoke/ }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke agent" }).click();
  await row.getByText("revoked").waitFor();
  expect(await row.getByRole("button", { name: /Revoke/ }).count()).toBe(0);
});

it("renders the permission matrix and creates, then edits, a custom role", async () => {
  const page = await (await env.context()).newPage();
  await page.goto(`${env.demo}/roles`);
  await signIn(page, env.demoAdmin);
  await page.getByRole("heading", { name: "Roles" }).waitFor();
  const matrix = page.locator(".matrix table");
  await matrix.waitFor();
  const heads = await matrix.locator("thead th").allTextContents();
  expect(heads[0]).toBe("Permission");
  expect([...heads.slice(1)].sort()).toEqual([
    "Adminpredefined",
    "Observerpredefined",
    "Technicianpredefined",
  ]);
  expect(await matrix.locator("tbody tr").count()).toBe(18);
  await page.getByRole("img", { name: "Admin: settings:manage granted" }).waitFor();
  await page.getByRole("img", { name: "Observer: settings:manage not granted" }).waitFor();
  await page.getByRole("img", { name: "Technician: connection:delete own only" }).waitFor();
  // Predefined roles are read-only: no checkbox in their columns.
  expect(await page.getByRole("checkbox", { name: /^Admin: / }).count()).toBe(0);

  await page.getByRole("button", { name: "New role" }).click();
  await page.getByLabel("Role name").fill("Auditor");
  await page.getByLabel("Description").fill("Reads the audit log");
  await page.getByRole("checkbox", { name: "audit:view" }).check();
  await page.getByRole("checkbox", { name: "audit:export" }).check();
  await page.getByRole("button", { name: "Create role" }).click();
  const cell = page.getByRole("checkbox", { name: "Auditor: audit:view" });
  await cell.waitFor();
  expect(await cell.isChecked()).toBe(true);
  expect(await page.getByRole("checkbox", { name: "Auditor: connection:read" }).isChecked()).toBe(false);

  await page.getByRole("checkbox", { name: "Auditor: connection:read" }).check();
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.getByText("Roles saved.").waitFor();
  await page.evaluate("window.scrollTo(0, 0)");
  await screenshot(page, "tenant-roles");

  const api = await env.api();
  const roles = await api.call<{ data: { name: string; permissions: string[]; is_system: boolean }[] }>(
    "GET",
    "/api/roles",
  );
  const auditor = roles.body.data.find((r) => r.name === "Auditor");
  expect(auditor?.is_system).toBe(false);
  expect([...(auditor?.permissions ?? [])].sort()).toEqual(["audit:export", "audit:view", "connection:read"]);

  // A custom role is renamed in place; a predefined one offers no rename at all.
  expect(await page.getByRole("button", { name: /^Rename role (Admin|Observer|Technician)$/ }).count()).toBe(
    0,
  );
  await page.getByRole("button", { name: "Rename role Auditor" }).click();
  const rename = page.getByRole("form", { name: "Rename Auditor" });
  await rename.getByLabel("Role name").fill("Compliance");
  await rename.getByLabel("Description").fill("Reads and exports the audit log");
  await rename.getByRole("button", { name: "Save role" }).click();
  await page.getByRole("checkbox", { name: "Compliance: audit:view" }).waitFor();
  expect(await page.getByRole("checkbox", { name: /^Auditor: / }).count()).toBe(0);
  const renamed = await api.call<{ data: { name: string; description: string; permissions: string[] }[] }>(
    "GET",
    "/api/roles",
  );
  const compliance = renamed.body.data.find((r) => r.name === "Compliance");
  expect(compliance?.description).toBe("Reads and exports the audit log");
  expect([...(compliance?.permissions ?? [])].sort()).toEqual([
    "audit:export",
    "audit:view",
    "connection:read",
  ]);
});

it("saves an organization settings change; the webhook URL is write-only", async () => {
  const page = await (await env.context({ dark: true })).newPage();
  await page.goto(`${env.demo}/settings`);
  await signIn(page, env.demoAdmin);
  await page.getByRole("heading", { name: "Organization settings" }).waitFor();
  await page.getByLabel("Session timeout (minutes)").fill("45");
  await page.getByLabel("Record every session").check();
  await page.getByLabel("Approval timeout (seconds)").fill("120");
  await page.getByLabel("New webhook URL").fill("https://hooks.example.com/t/very-secret-path");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByText("Settings saved.").waitFor();

  const api = await env.api();
  const s = await api.call<{ settings: Record<string, unknown> }>("GET", "/api/settings");
  expect(s.body.settings).toMatchObject({
    session_timeout: 45 * 60_000,
    auto_record_sessions: true,
    approval_timeout_ms: 120_000,
  });

  await page.reload();
  await page.getByLabel("Session timeout (minutes)").waitFor();
  expect(await page.getByLabel("Session timeout (minutes)").inputValue()).toBe("45");
  expect(await page.getByLabel("Record every session").isChecked()).toBe(true);
  await page.getByText("Set: https://hooks.example.com/").waitFor();
  expect(await page.content()).not.toContain("very-secret-path");
  expect(await page.getByLabel("New webhook URL").inputValue()).toBe("");
  await screenshot(page, "tenant-settings");
});

it("SSH keys and users at phone width: a generated key shows no private key; a user is created, edited, deactivated", async () => {
  const page = await (await env.context({ phone: true })).newPage();
  await page.goto(`${env.demo}/ssh-keys`);
  await signIn(page, env.demoAdmin);
  await page.getByRole("heading", { name: "SSH keys" }).waitFor();
  await page.getByRole("button", { name: "Add a key" }).click();
  await page.getByLabel("Key name").fill("deploy-browser");
  await page.getByRole("button", { name: "Generate key" }).click();
  const row = page.locator("tr", { hasText: "deploy-browser" });
  await row.waitFor();
  expect(await row.textContent()).toMatch(/SHA256:/);
  expect(await page.content()).not.toMatch(/PRIVATE KEY/);
  expect(await fitsWidth(page)).toBe(true);
  await screenshot(page, "tenant-ssh-keys-phone");

  await page.goto(`${env.demo}/users`);
  await page.getByRole("heading", { name: "Users" }).waitFor();
  await page.locator("tr", { hasText: env.demoAdmin.email }).waitFor();
  await page.getByRole("button", { name: "New user" }).click();
  await page.getByLabel("Full name").fill("Tess Browser");
  await page.getByLabel("Email").fill("tess-browser@demo-e2e.example");
  await page.getByLabel("Role").selectOption({ label: "Technician" });
  await page.getByLabel("First password").fill("tess-password-12");
  await page.getByRole("button", { name: "Create user" }).click();
  const tess = page.locator("tr", { hasText: "tess-browser@demo-e2e.example" });
  await tess.getByText("Technician").waitFor();
  await tess.getByRole("button", { name: /Edit/ }).click();
  await page.getByLabel("Role").selectOption({ label: "Observer" });
  await page.getByRole("button", { name: "Save user" }).click();
  await tess.getByText("Observer").waitFor();
  await tess.getByRole("button", { name: /Deactivate/ }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Deactivate" }).click();
  await tess.getByText("deactivated").waitFor();
  expect(await fitsWidth(page)).toBe(true);
  await screenshot(page, "tenant-users-phone");
});

it("saw no script error and no Content-Security-Policy refusal on any page", () => {
  expect(env.problems).toEqual([]);
});
