// The live terminal in Chromium against the whole chain: wrangler dev, PostgreSQL, the real agent and a
// real OpenSSH sshd. WebGL is turned off so xterm draws with its DOM renderer (the fallback path), whose
// rows the test can read. The second case: an Observer joins from the live-sessions list, sees the same
// screen and cannot type; then the Command Center kills the owner's login and the owner's terminal closes.
import type { Page } from "playwright-core";
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

async function makeUser(role: string, email: string) {
  const roles = await live.admin.call<{ data: { id: string; name: string }[] }>("GET", "/api/roles");
  const who = { email, password: `${role.toLowerCase()}-password-12` };
  const made = await live.admin.call("POST", "/api/users", {
    ...who,
    name: `${role} Terminal`,
    role_id: roles.body.data.find((r) => r.name === role)?.id,
  });
  expect(made.status).toBe(201);
  return who;
}

const screenOf = (page: Page) => page.locator(".xterm-rows").innerText();

it("lets an Observer watch the same screen without typing; killing the owner's login closes the owner's terminal", async () => {
  const owner = await makeUser("Technician", "owner-terminal@demo-e2e.example");
  const observer = await makeUser("Observer", "observer-terminal@demo-e2e.example");

  const mine = await (await env.context()).newPage();
  await mine.goto(`${env.demo}/connections`);
  await signIn(mine, owner);
  await mine
    .locator("tr", { hasText: "sshd on loopback" })
    .getByRole("button", { name: /Open terminal/ })
    .click();
  await mine.getByText("You can type").waitFor();
  await mine.getByRole("application", { name: "Terminal" }).click();
  await mine.keyboard.type("echo owner-$((20+1))");
  await mine.keyboard.press("Enter");
  await expect.poll(() => screenOf(mine), { timeout: 20_000 }).toMatch(/^owner-21$/m);

  const theirs = await (await env.context()).newPage();
  await theirs.goto(`${env.demo}/live`);
  await signIn(theirs, observer);
  await theirs.getByRole("heading", { name: "Live sessions" }).waitFor();
  await theirs.getByRole("link", { name: /Join/ }).first().waitFor();
  await screenshot(theirs, "tenant-live-sessions");
  await theirs.getByRole("link", { name: /Join/ }).first().click();
  await theirs.getByText("Read-only").waitFor();
  // The snapshot: what was on the owner's screen before the Observer came.
  await expect.poll(() => screenOf(theirs), { timeout: 20_000 }).toMatch(/^owner-21$/m);
  await theirs.getByRole("application", { name: "Terminal" }).click();
  await theirs.keyboard.type("echo observer-typed");
  await theirs.keyboard.press("Enter");
  // The owner's next command is answered after anything typed before it: the Observer's line never arrived.
  await mine.keyboard.type("echo owner-again");
  await mine.keyboard.press("Enter");
  await expect.poll(() => screenOf(theirs), { timeout: 20_000 }).toMatch(/^owner-again$/m);
  expect(await screenOf(mine)).not.toContain("observer-typed");
  await mine.getByText(/Here: .*Observer Terminal \(viewer\)/).waitFor();
  await screenshot(theirs, "tenant-terminal-observer");

  const admin = await (await env.context()).newPage();
  await admin.goto(`${env.platform}/cc/sessions`);
  await signIn(admin, env.superAdmin, "");
  const row = admin.locator("tr", { hasText: owner.email });
  await row.getByRole("button", { name: /Kill/ }).click();
  await admin.getByRole("dialog").getByRole("button", { name: "Kill login" }).click();
  await row.waitFor({ state: "detached" });
  await mine.getByText(/^Disconnected: /).waitFor({ timeout: 20_000 });
  expect(env.problems).toEqual([]);
});
