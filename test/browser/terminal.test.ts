// The live terminal in Chromium against the whole chain: wrangler dev, PostgreSQL, the real agent and a
// real OpenSSH sshd. WebGL is turned off so xterm draws with its DOM renderer (the fallback path), whose
// rows the test can read.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type LiveEnv, startLive } from "../e2e/live.ts";
import { type ConsoleEnv, openConsole, screenshot, signIn } from "./harness.ts";

let live: LiveEnv;
let env: ConsoleEnv;

beforeAll(async () => {
  live = await startLive("console-terminal");
  env = await openConsole(live.e2e, ["--disable-webgl", "--disable-3d-apis"]);
});
afterAll(async () => {
  await env?.close();
  await live?.close();
});

it("opens a terminal on a connection, types a command and sees its output, then ends the session", async () => {
  const page = await (await env.context()).newPage();
  await page.goto(`${env.demo}/connections`);
  await signIn(page, env.demoAdmin);
  const row = page.locator("tr", { hasText: "sshd on loopback" });
  await row.getByRole("button", { name: /Open terminal/ }).click();
  await page.waitForURL(/\/terminal\//);
  await page.getByText("You can type").waitFor();
  await page.getByText(/^Edge \d+ ms$/).waitFor();
  const rows = page.locator(".xterm-rows");
  await expect
    .poll(async () => (await rows.innerText()).trim().length, { timeout: 20_000 })
    .toBeGreaterThan(0);
  await page.getByRole("application", { name: "Terminal" }).click();
  await page.keyboard.type("echo browser-$((6*7))");
  await page.keyboard.press("Enter");
  await expect.poll(async () => rows.innerText(), { timeout: 20_000 }).toMatch(/^browser-42$/m);
  await screenshot(page, "tenant-terminal");

  await page.getByRole("button", { name: "End session" }).click();
  await page.waitForURL("**/connections");
  expect(env.problems).toEqual([]);
});
