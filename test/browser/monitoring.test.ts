// Monitoring and the tenant dashboard in Chromium against the whole chain: wrangler dev, PostgreSQL, the
// real agent (reporting metrics every 5 s) and OpenSSH's sshd. The super admin opens Command Center ›
// Monitoring and sees the summary figures and the local agent online with its chart drawn; the demo admin
// lands on the tenant Dashboard and sees the connection, the agent online, a live session and the command
// the policy blocked.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type LiveEnv, startLive } from "../e2e/live.ts";
import { type ConsoleEnv, fitsWidth, openConsole, screenshot, signIn } from "./harness.ts";

let live: LiveEnv;
let env: ConsoleEnv;

beforeAll(async () => {
  live = await startLive("console-monitoring");
  env = await openConsole(live.e2e);
}, 240_000);
afterAll(async () => {
  await env?.close();
  await live?.close();
});

it("shows the super admin the platform summary and the local agent online with its CPU, memory and disk chart", async () => {
  const page = await (await env.context()).newPage();
  await page.goto(`${env.platform}/cc/sessions`);
  await signIn(page, env.superAdmin, "");
  await page.getByRole("heading", { name: "Active sessions" }).waitFor();
  await page.getByRole("navigation").getByRole("link", { name: "Monitoring" }).click();
  await page.waitForURL("**/cc/monitoring");
  await page.getByRole("heading", { name: "Monitoring" }).waitFor();

  const summary = page.getByRole("definition");
  const figure = (label: string) =>
    page.locator(".stat", { has: page.getByRole("term").filter({ hasText: label }) }).locator("dd");
  await expect.poll(() => summary.count(), { timeout: 20_000 }).toBe(7);
  expect(Number(await figure("Tenants").innerText())).toBeGreaterThanOrEqual(1);
  expect(Number(await figure("Active users").innerText())).toBeGreaterThanOrEqual(1);
  expect(await figure("Errors (24 h)").innerText()).toMatch(/^\d+$/);

  const card = page.getByRole("article", { name: /^Agent / });
  await card.first().waitFor({ timeout: 20_000 });
  expect(await card.count()).toBe(1);
  await card.getByText("online", { exact: true }).waitFor({ timeout: 20_000 });
  await card.getByText("demo", { exact: false }).first().waitFor();
  await card
    .getByRole("img", { name: /CPU, memory and disk of .+ over time/ })
    .locator("canvas")
    .waitFor();
  // The agent reports every 5 s; the page refreshes every 10 s, so the figures and the summary's online
  // count arrive within a couple of refreshes.
  await expect
    .poll(() => card.locator("figcaption").innerText(), { timeout: 40_000 })
    .toMatch(/CPU \d+ %, memory \d+ %, disk \d+ %/);
  // A second sample makes the chart a line (the agent reports every 5 s; the page refreshes every 10 s).
  await expect
    .poll(() => card.locator("figcaption").innerText(), { timeout: 40_000 })
    .toMatch(/ — ([2-9]|\d{2,}) samples in the last hour/);
  await expect.poll(() => figure("Agents online").innerText(), { timeout: 30_000 }).toBe("1");
  expect(await figure("CPU (avg)").innerText()).toMatch(/^\d+ %$/);
  await screenshot(page, "cc-monitoring");

  await page.setViewportSize({ width: 390, height: 844 });
  // The chart follows its card's width through a ResizeObserver, a frame after the window shrinks.
  await expect.poll(() => fitsWidth(page), { timeout: 5_000 }).toBe(true);
  expect(env.problems).toEqual([]);
}, 120_000);

it("lands the demo admin on the Dashboard with the connection, the agent, a live session and a blocked command", async () => {
  const policy = await live.admin.call("POST", "/api/policies", {
    name: "No shutdown",
    blocked_commands: [
      { name: "Shutdown", pattern_type: "regex", pattern: "^shutdown\\b", severity: "critical" },
    ],
  });
  expect(policy.status, JSON.stringify(policy.body)).toBe(201);
  const exec = await live.admin.call("POST", `/api/connections/${live.connectionId}/exec`, {
    command: "shutdown -h now",
  });
  expect(exec.status, JSON.stringify(exec.body)).toBeGreaterThanOrEqual(400);
  await live.start();

  const page = await (await env.context({ dark: true })).newPage();
  await page.goto(env.demo);
  await signIn(page, env.demoAdmin);
  await page.waitForURL("**/dashboard");
  await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  const figure = (label: string) =>
    page.locator(".stat", { has: page.getByRole("term").filter({ hasText: label }) }).locator("dd");
  await expect.poll(() => figure("Connections").innerText(), { timeout: 20_000 }).toBe("1");
  await expect.poll(() => figure("Agents online").innerText(), { timeout: 20_000 }).toBe("1 of 1");
  await expect.poll(() => figure("Live sessions").innerText(), { timeout: 20_000 }).toBe("1");
  await expect.poll(() => figure("Blocked (24 h)").innerText(), { timeout: 20_000 }).toBe("1");
  await page.locator("tr", { hasText: "shutdown -h now" }).waitFor();
  await screenshot(page, "tenant-dashboard");

  await page.getByRole("link", { name: "Live sessions" }).first().click();
  await page.waitForURL("**/live");
  expect(env.problems).toEqual([]);
}, 120_000);
