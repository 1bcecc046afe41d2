// Tenant console cases: the connections list (empty state, search) and the create form with a field
// error shown under its field; a role's navigation and routes follow its permissions.
import { expect, it } from "vitest";
import { type ConsoleEnv, fitsWidth, screenshot, signIn } from "./harness.ts";

export function connectionCases(env: () => ConsoleEnv) {
  it("creates a connection on the tenant's host; a bad host is refused under its field", async () => {
    const page = await (await env().context()).newPage();
    await page.goto(`${env().demo}/connections`);
    await signIn(page, env().demoAdmin);
    await page.getByRole("heading", { name: "Connections" }).waitFor();
    await page.getByLabel("Search connections").fill("zzz");
    await page.getByText("No connection matches “zzz”.").waitFor();
    await page.getByLabel("Search connections").fill("");

    await page.getByRole("link", { name: "New connection" }).click();
    await page.getByLabel("Name").fill("Browser web 1");
    await page.getByLabel("Host").fill("not a host!");
    await page.getByLabel("User", { exact: true }).fill("deploy");
    await page.getByRole("textbox", { name: "Password" }).fill("s3cret-password");
    await page.getByLabel("Tags").fill("web, eu");
    await page.getByRole("button", { name: "Create connection" }).click();
    const hostError = page.locator("#c-hostname-error");
    await hostError.waitFor();
    expect(await hostError.textContent()).toMatch(/DNS name/);
    await screenshot(page, "tenant-new-connection");

    await page.getByLabel("Host").fill("10.0.0.5");
    await page.getByRole("button", { name: "Create connection" }).click();
    await page.waitForURL("**/connections");
    const row = page.locator("tr", { hasText: "Browser web 1" });
    await row.waitFor();
    expect(await row.locator("td").allTextContents()).toEqual(
      expect.arrayContaining(["10.0.0.5:22", "deploy", "ssh", "development", "web, eu"]),
    );
    await screenshot(page, "tenant-connections");
  });

  it("shows an Observer no create button and keeps the Command Center out of reach", async () => {
    const admin = await env().api();
    const roles = await admin.call<{ data: { id: string; name: string }[] }>("GET", "/api/roles");
    const observer = { email: "observer-browser@demo-e2e.example", password: "observer-password-1" };
    const made = await admin.call("POST", "/api/users", {
      ...observer,
      name: "Observer Browser",
      role_id: roles.body.data.find((r) => r.name === "Observer")?.id,
    });
    expect(made.status).toBe(201);
    const page = await (await env().context({ phone: true })).newPage();
    await page.goto(`${env().demo}/cc/sessions`);
    await signIn(page, observer);
    await page.waitForURL("**/dashboard");
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await page.goto(`${env().demo}/connections`);
    await page.getByRole("heading", { name: "Connections" }).waitFor();
    await page.locator("tr", { hasText: "Browser web 1" }).waitFor();
    expect(await page.getByRole("link", { name: "New connection" }).count()).toBe(0);
    expect(await page.getByRole("navigation", { name: "Main" }).getByRole("link").allTextContents()).toEqual([
      "Dashboard",
      "Connections",
      "Live sessions",
      "Users",
      "Roles",
      "Commands",
      "Audit log",
      "Recordings",
    ]);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "tenant-connections-phone");
  });
}
