// Tenant console cases: the connections list (empty state, search) and the create form with a field
// error shown under its field, and without a credential for telnet; a role's navigation and routes follow
// its permissions.
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

    // A telnet connection asks for no credential: the user logs in at the server's prompt.
    await page.getByRole("link", { name: "New connection" }).click();
    await page.getByLabel("Name").fill("Browser telnet 1");
    await page.getByLabel("Type").selectOption("telnet");
    await page.getByText("No credential is stored for telnet").waitFor();
    expect(await page.getByRole("textbox", { name: "Password" }).count()).toBe(0);
    await page.getByLabel("Host").fill("10.0.0.6");
    await page.getByLabel("User", { exact: true }).fill("operator");
    await page.getByRole("button", { name: "Create connection" }).click();
    await page.waitForURL("**/connections");
    const telnet = page.locator("tr", { hasText: "Browser telnet 1" });
    await telnet.waitFor();
    expect(await telnet.locator("td").allTextContents()).toEqual(
      expect.arrayContaining(["10.0.0.6:23", "telnet"]),
    );
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
    // The bar: links and groups (disclosure buttons), only what an Observer may read.
    const nav = page.getByRole("navigation", { name: "Main" });
    const bar = nav.locator(":scope > ul > li > :is(a, button)");
    expect(await bar.allTextContents()).toEqual([
      "Dashboard",
      "Sessions",
      "Connections",
      "Audit log",
      "Admin",
    ]);
    expect(await nav.getByRole("link").allTextContents()).toEqual(["Dashboard", "Connections", "Audit log"]);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "tenant-connections-phone");
    // Keyboard: ArrowDown opens a group on its first link, arrows move, Escape closes back to the button.
    const sessions = nav.getByRole("button", { name: "Sessions" });
    await sessions.focus();
    await page.keyboard.press("ArrowDown");
    expect(await sessions.getAttribute("aria-expanded")).toBe("true");
    expect(await nav.getByRole("link").allTextContents()).toEqual([
      "Dashboard",
      "Live sessions",
      "Commands",
      "Recordings",
      "Connections",
      "Audit log",
    ]);
    expect(await page.evaluate("document.activeElement?.textContent")).toBe("Live sessions");
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "tenant-nav-phone");
    await page.keyboard.press("Escape");
    expect(await sessions.getAttribute("aria-expanded")).toBe("false");
    expect(await page.evaluate("document.activeElement?.textContent")).toBe("Sessions");
    await nav.getByRole("button", { name: "Admin" }).click();
    await nav.getByRole("link", { name: "Roles" }).click();
    await page.getByRole("heading", { name: "Roles" }).waitFor();
    expect(await nav.getByRole("button", { name: "Admin" }).getAttribute("aria-expanded")).toBe("false");
  });
}
