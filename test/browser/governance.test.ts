// The tenant console's governance views in real Chromium against the real stack: a policy made in the
// form decides the "test a command" box (decision, risk, rule); a logged command is found by its text and
// opens to its output and exit code; the audit log's CSV export downloads the filtered log.
import { readFileSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ConsoleEnv, fitsWidth, screenshot, signIn, startConsole } from "./harness.ts";

let env: ConsoleEnv;

beforeAll(async () => {
  env = await startConsole("governance");
});
afterAll(async () => {
  await env?.close();
});

it("creates a policy with a rule, and the test box answers with its decision, risk and rule", async () => {
  const page = await (await env.context()).newPage();
  await page.goto(`${env.demo}/policies`);
  await signIn(page, env.demoAdmin);
  await page.getByRole("heading", { name: "Policies", exact: true }).waitFor();
  await page.getByText("No policies yet").waitFor();

  await page.getByRole("link", { name: "New policy" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Production guard");
  await page.getByLabel("Rule name").fill("No recursive delete");
  await page.getByLabel("Pattern").fill("rm -rf");
  await page.getByLabel("Match").selectOption("contains");
  await page.getByLabel("Severity").selectOption("critical");
  await page.getByRole("button", { name: "Create policy" }).click();
  await page.waitForURL("**/policies");
  const rule = page.locator("tr", { hasText: "No recursive delete" });
  await rule.waitFor();
  expect(await rule.locator("td").allTextContents()).toEqual([
    "No recursive delete",
    "rm -rf",
    "contains",
    "critical",
  ]);

  await page.getByLabel("Command to test").fill("uptime");
  await page.getByRole("button", { name: "Test" }).click();
  const answer = page.locator("output.evaluation");
  await answer.getByText("Allowed", { exact: true }).waitFor();
  expect(await answer.textContent()).toContain("No rule matched");
  await page.getByLabel("Command to test").fill("ls -la && rm -rf /var/log");
  await page.getByLabel("Command to test").press("Enter");
  await answer.getByText("Blocked", { exact: true }).waitFor();
  const text = await answer.textContent();
  expect(text).toContain("Blocked");
  expect(text).toContain("No recursive delete (policy Production guard)");
  expect(text).toMatch(/Risk(low|medium|high|critical)/);

  await screenshot(page, "tenant-policies");
});

it("finds a logged command by its text and opens it to its output and exit code", async () => {
  const admin = await env.api();
  const made = await admin.call<{ id: string }>("POST", "/api/connections", {
    name: "Logged host",
    type: "ssh",
    hostname: "10.0.0.9",
    username: "deploy",
    auth_method: "password",
    password: "s3cret-password",
    environment: "staging",
    tags: [],
  });
  expect(made.status).toBe(201);
  // A session's command log is written by the session room; here it is set up directly, so this case
  // needs no agent and no sshd (the terminal test covers the live path).
  const db = new pg.Client({ connectionString: env.e2e.stack.databaseUrl });
  await db.connect();
  try {
    const [ids] = (
      await db.query<{ org: string; uid: string }>(
        `select c.organization_id org, u.id uid from connection c, "user" u where c.id = $1 and u.email = $2`,
        [made.body.id, env.demoAdmin.email],
      )
    ).rows;
    expect(ids).toBeDefined();
    const s = await db.query<{ id: string }>(
      `insert into session (session_id, connection_id, initiated_by_user_id, organization_id, client_ip, user_agent)
       values ('sess-browser-1', $1, $2, $3, '127.0.0.1', 'browser test') returning id`,
      [made.body.id, ids?.uid, ids?.org],
    );
    await db.query(
      `insert into command (session_id, user_id, organization_id, command, status, output, exit_code, risk_level)
       values ($1, $2, $3, 'cat /etc/hostname', 'executed', 'web-01', 0, 'low'),
              ($1, $2, $3, 'grep -c error /var/log/app.log', 'error', 'grep: /var/log/app.log: No such file', 2, 'low')`,
      [s.rows[0]?.id, ids?.uid, ids?.org],
    );
  } finally {
    await db.end();
  }

  const page = await (await env.context({ phone: true })).newPage();
  await page.goto(`${env.demo}/commands`);
  await signIn(page, env.demoAdmin);
  await page.getByRole("heading", { name: "Commands" }).waitFor();
  await page.getByText("2 commands").waitFor();
  await page.getByLabel("Search commands").fill("grep");
  await page.getByText("1 command", { exact: true }).waitFor();
  const row = page.locator("tr", { hasText: "grep -c error" });
  await row.getByRole("button").click();
  const detail = page.locator("tr.detail");
  await detail.waitFor();
  const text = await detail.textContent();
  expect(text).toContain("Exit code2");
  expect(text).toContain("grep: /var/log/app.log: No such file");
  expect(text).toContain("sess-browser-1");
  await page.getByLabel("Status").selectOption("executed");
  await page.getByText("No command matches these filters.").waitFor();
  expect(await fitsWidth(page)).toBe(true);
  await page.getByLabel("Status").selectOption("error");
  await detail.waitFor();
  await screenshot(page, "tenant-commands");
});

it("filters the audit log and downloads it as CSV", async () => {
  const page = await (await env.context({ dark: true })).newPage();
  await page.goto(`${env.demo}/audit`);
  await signIn(page, env.demoAdmin);
  await page.getByRole("heading", { name: "Audit log" }).waitFor();
  await page.getByLabel("Event type").selectOption("policy.created");
  const row = page.locator("tbody tr", { hasText: "policy.created" });
  await row.first().waitFor();
  expect(await page.locator("tbody tr").count()).toBe(await row.count());
  await screenshot(page, "tenant-audit");

  const [file] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Export CSV" }).click(),
  ]);
  expect(file.suggestedFilename()).toMatch(/\.csv$/);
  const csv = readFileSync((await file.path()) ?? "", "utf8");
  const lines = csv.trim().split("\n");
  expect(lines[0]).toMatch(/event_type/);
  expect(lines.length).toBeGreaterThan(1);
  expect(lines.slice(1).every((l) => l.includes("policy.created"))).toBe(true);
});

it("lists recordings (none yet) and saw no script error or CSP refusal on any page", async () => {
  const page = await (await env.context()).newPage();
  await page.goto(`${env.demo}/recordings`);
  await signIn(page, env.demoAdmin);
  await page.getByText("No recordings yet.").waitFor();
  expect(env.problems).toEqual([]);
});
