// The tenant console's governance views in real Chromium against the whole chain (wrangler dev,
// PostgreSQL, the real agent, OpenSSH's sshd): a policy made in the form decides the "test a command" box
// (decision, risk, rule); a command typed in a recorded session is found by its text and opens to its
// output and exit code; the audit log's CSV export downloads the filtered log; the recording plays.
import { readFileSync } from "node:fs";
import { Viewer } from "@nostromo/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { waitFor } from "../e2e/harness.ts";
import { type LiveEnv, startLive } from "../e2e/live.ts";
import { type ConsoleEnv, fitsWidth, openConsole, screenshot, signIn } from "./harness.ts";

let live: LiveEnv;
let env: ConsoleEnv;
let recordingId = "";

beforeAll(async () => {
  live = await startLive("console-governance");
  env = await openConsole(live.e2e);
});
afterAll(async () => {
  await env?.close();
  await live?.close();
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

it("edits a policy (name, description, active, whom it applies to) and adds, edits and deletes its rules", async () => {
  const page = await (await env.context()).newPage();
  await page.goto(`${env.demo}/policies`);
  await signIn(page, env.demoAdmin);
  await page.getByRole("link", { name: "Edit policy Production guard" }).click();
  await page.getByRole("heading", { name: "Edit policy Production guard" }).waitFor();
  const form = page.getByRole("form", { name: "Policy" });
  await form.getByLabel("Name", { exact: true }).fill("Production guard v2");
  await form.getByLabel("Description").fill("Keeps production safe");
  await form.getByRole("checkbox", { name: "Observer" }).check();
  await form.getByRole("checkbox", { name: "Active" }).uncheck();
  await form.getByRole("button", { name: "Save policy" }).click();
  await page.getByText("Policy saved (version 2).").waitFor();

  // Rules: a bad regex is refused under its field; then added, edited, and one deleted through the dialog.
  await page.getByRole("button", { name: "Add a rule" }).click();
  const added = page.getByRole("form", { name: "New rule" });
  await added.getByLabel("Rule name").fill("No shutdown");
  await added.getByLabel("Match").selectOption("regex");
  await added.getByLabel("Pattern").fill("(shutdown");
  await added.getByRole("button", { name: "Add rule" }).click();
  await added.locator(".field-error").waitFor();
  await added.getByLabel("Pattern").fill("^shutdown\\b");
  await added.getByRole("button", { name: "Add rule" }).click();
  await page.locator("tr", { hasText: "No shutdown" }).waitFor();
  await page.getByRole("button", { name: "Edit rule No recursive delete" }).click();
  const edit = page.getByRole("form", { name: "Edit rule No recursive delete" });
  await edit.getByLabel("Pattern").fill("rm -fr");
  await edit.getByLabel("Severity").selectOption("high");
  await edit.getByRole("button", { name: "Save rule" }).click();
  const rule = page.locator("tr", { hasText: "No recursive delete" });
  await rule.getByText("rm -fr").waitFor();
  expect((await rule.locator("td").allTextContents()).slice(0, 4)).toEqual([
    "No recursive delete",
    "rm -fr",
    "contains",
    "high",
  ]);
  await screenshot(page, "tenant-policy-edit");
  await page.getByRole("button", { name: "Delete rule No shutdown" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete rule" }).click();
  await page.locator("tr", { hasText: "No shutdown" }).waitFor({ state: "detached" });

  const api = await env.api();
  const list = await api.call<{
    data: {
      name: string;
      description: string;
      is_active: boolean;
      applies_to_roles: string[];
      blocked_commands: { name: string; pattern: string; severity: string }[];
    }[];
  }>("GET", "/api/policies");
  const saved = list.body.data.find((p) => p.name === "Production guard v2");
  expect(saved?.description).toBe("Keeps production safe");
  expect(saved?.is_active).toBe(false);
  expect(saved?.applies_to_roles).toHaveLength(1);
  expect(saved?.blocked_commands.map((r) => [r.name, r.pattern, r.severity])).toEqual([
    ["No recursive delete", "rm -fr", "high"],
  ]);
  // Back on, for everyone: the later cases' live session is judged by this policy again.
  await page.getByRole("checkbox", { name: "Observer" }).uncheck();
  await page.getByRole("checkbox", { name: "Active" }).check();
  await page.getByRole("button", { name: "Save policy" }).click();
  // Rule changes count as versions too, so the number here is the server's.
  await page.getByText(/Policy saved \(version (?!2\))\d+\)\./).waitFor();
  const after = await api.call<{ data: { name: string; is_active: boolean; applies_to_roles: string[] }[] }>(
    "GET",
    "/api/policies",
  );
  const back = after.body.data.find((p) => p.name === "Production guard v2");
  expect([back?.is_active, back?.applies_to_roles]).toEqual([true, []]);
});

it("deletes a whole policy after a confirmation, and the list no longer has it", async () => {
  const api = await env.api();
  const made = await api.call<{ id: string }>("POST", "/api/policies", {
    name: "Scratch policy",
    blocked_commands: [{ name: "No halt", pattern: "halt", pattern_type: "exact", severity: "low" }],
  });
  expect(made.status).toBe(201);
  const page = await (await env.context()).newPage();
  await page.goto(`${env.demo}/policies/${made.body.id}/edit`);
  await signIn(page, env.demoAdmin);
  await page.getByRole("heading", { name: "Edit policy Scratch policy" }).waitFor();
  await page.getByRole("button", { name: "Delete policy Scratch policy" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete policy" }).click();
  await page.waitForURL("**/policies");
  await page.getByRole("heading", { name: "Policies", exact: true }).waitFor();
  await page.getByText("Production guard v2").first().waitFor();
  expect(await page.getByText("Scratch policy").count()).toBe(0);
  const list = await api.call<{ data: { name: string }[] }>("GET", "/api/policies");
  expect(list.body.data.map((p) => p.name)).not.toContain("Scratch policy");
});

it("finds a command typed in a live session and opens it to its output and exit code", async () => {
  // A real session through the agent to sshd, recorded: the command log and the recording are the ones
  // the session room writes.
  const s = await live.start();
  const v = await Viewer.open(live.admin, s.id);
  const rec = await live.admin.call<{ recording_id: string }>(
    "POST",
    `/api/remote-sessions/${s.id}/recording`,
    {
      enabled: true,
    },
  );
  recordingId = rec.body.recording_id;
  expect(recordingId, JSON.stringify(rec.body)).toBeTruthy();
  v.type("ls /no-such-governance-dir\r");
  await waitFor("output", async () => v.text().includes("No such file"));
  v.type("echo governance-$((6*7))\r");
  await waitFor("output", async () => v.text().includes("governance-42"));
  await live.admin.call("DELETE", `/api/remote-sessions/${s.id}`);
  v.close();

  const page = await (await env.context({ phone: true })).newPage();
  await page.goto(`${env.demo}/commands`);
  await signIn(page, env.demoAdmin);
  await page.getByRole("heading", { name: "Commands" }).waitFor();
  await page.getByLabel("Search commands").fill("no-such-governance");
  await page.getByText("1 command", { exact: true }).waitFor();
  const row = page.locator("tr", { hasText: "ls /no-such-governance-dir" });
  await row.getByRole("button").click();
  const detail = page.locator("tr.detail");
  await detail.waitFor();
  const text = await detail.textContent();
  expect(text).toContain("Exit code2");
  expect(text).toContain("No such file");
  expect(text).toContain(s.session_id);
  await page.getByLabel("Status").selectOption("blocked");
  await page.getByText("No command matches these filters.").waitFor();
  expect(await fitsWidth(page)).toBe(true);
  await page.getByLabel("Status").selectOption("");
  await detail.waitFor(); // still open: the opened row is kept across filter changes
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

it("lists the recording and plays it in the page; saw no script error or CSP refusal on any page", async () => {
  await waitFor("recording ready", async () => {
    const r = await live.admin.call<{ status: string }>("GET", `/api/recordings/${recordingId}`);
    return r.body.status === "ready";
  });
  const page = await (await env.context()).newPage();
  await page.goto(`${env.demo}/recordings`);
  await signIn(page, env.demoAdmin);
  await page.getByRole("heading", { name: "Recordings" }).waitFor();
  await page.getByRole("button", { name: /^Play/ }).click();
  const player = page.getByRole("region", { name: "Recording player" });
  await player.locator(".ap-player").waitFor();
  await player.locator(".ap-player").click();
  await expect.poll(async () => player.innerText(), { timeout: 20_000 }).toContain("governance-42");
  await screenshot(page, "tenant-recording-player");
  expect(env.problems).toEqual([]);
});
