// Command Center cases: every active login listed with its facts and killed with confirmation (the row
// goes, the killed browser is signed out); tenants searched, provisioned, toggled, suspended, reactivated.
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { type ConsoleEnv, fitsWidth, screenshot, signIn } from "./harness.ts";

async function superAdminPage(
  env: ConsoleEnv,
  opts: { phone?: boolean; dark?: boolean } = {},
): Promise<Page> {
  const page = await (await env.context(opts)).newPage();
  await page.goto(`${env.platform}/cc/sessions`);
  await signIn(page, env.superAdmin, "");
  await page.getByRole("heading", { name: "Active sessions" }).waitFor();
  return page;
}

export function commandCenterCases(env: () => ConsoleEnv) {
  it("lists every active login and kills one with confirmation; the killed browser is signed out", async () => {
    const admin = await env().api();
    const roles = await admin.call<{ data: { id: string; name: string }[] }>("GET", "/api/roles");
    const who = { email: "victim-browser@demo-e2e.example", password: "victim-password-12" };
    const made = await admin.call("POST", "/api/users", {
      ...who,
      name: "Victim Browser",
      role_id: roles.body.data.find((r) => r.name === "Technician")?.id,
    });
    expect(made.status).toBe(201);
    const victim = await (await env().context()).newPage();
    await victim.goto(env().demo);
    await signIn(victim, who);
    await victim.getByRole("heading", { name: "Dashboard" }).waitFor();

    const page = await superAdminPage(env());
    const row = page.locator("tr[data-login]", { hasText: who.email });
    await row.waitFor();
    const cells = await row.locator("td").allTextContents();
    expect(cells[1]).toBe("Demo Company");
    expect(cells[2]).toBe("Technician");
    expect(cells[4]).toMatch(/Chrome/);
    expect(cells[5]).toMatch(/^\d+ s$/);
    await screenshot(page, "command-center-sessions");

    // Escape cancels; nothing is killed.
    await row.getByRole("button", { name: /Kill/ }).click();
    const dialog = page.getByRole("dialog", { name: "Kill this login?" });
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await row.count()).toBe(1);

    await row.getByRole("button", { name: /Kill/ }).click();
    await dialog.getByRole("button", { name: "Kill login" }).click();
    await row.waitFor({ state: "detached" });
    await page.getByText(`The login of ${who.email} was ended.`).waitFor();

    await victim.reload();
    await victim.getByRole("heading", { name: "Sign in to Demo Company" }).waitFor();
  });

  it("searches, provisions, toggles features, suspends and reactivates a tenant", async () => {
    const page = await superAdminPage(env());
    await page.getByRole("link", { name: "Tenants" }).click();
    await page.getByRole("heading", { name: "Tenants" }).waitFor();
    await page.getByRole("link", { name: "Demo Company" }).waitFor();
    await page.getByLabel("Search tenants").fill("zzz-nothing");
    await page.getByText("No tenant matches “zzz-nothing”.").waitFor();
    await page.getByLabel("Search tenants").fill("demo");
    await page.getByRole("link", { name: "Demo Company" }).waitFor();
    await screenshot(page, "command-center-tenants");

    await page.getByRole("link", { name: "Provision a tenant" }).click();
    await page.getByLabel("Company name").fill("Browser Test Co");
    await page.getByLabel("Subdomain").fill("browser-co");
    await page.getByLabel("Tier").selectOption("silver");
    await page.getByLabel("Email", { exact: true }).fill("owner@browser-co.example");
    await page.getByLabel("Password", { exact: true }).fill("short");
    await screenshot(page, "command-center-provision");
    await page.getByRole("button", { name: "Provision" }).click();
    await page.getByText("At least 12 characters.").waitFor();
    const problem = page.locator("#p-adminPassword-error");
    await problem.waitFor();
    expect(await page.getByLabel("Password", { exact: true }).getAttribute("aria-invalid")).toBe("true");

    await page.getByLabel("Password", { exact: true }).fill("owner-password-123");
    await page.getByRole("button", { name: "Provision" }).click();
    await page.getByRole("heading", { name: "Browser Test Co" }).waitFor({ timeout: 60_000 });
    expect(await page.getByText("none (pooled)").count()).toBe(1);
    await screenshot(page, "command-center-tenant");

    await page.getByRole("checkbox", { name: "exec" }).check();
    await page.getByRole("button", { name: "Save features" }).click();
    await page.getByText("Features saved.").waitFor();
    const id = page.url().split("/").pop() ?? "";
    const features = await page.evaluate(
      async (tid) =>
        ((await (await fetch(`/api/admin/tenants/${tid}`)).json()) as { features: string[] }).features,
      id,
    );
    expect(features).toContain("exec");

    await page.getByRole("button", { name: "Suspend" }).click();
    await page.getByLabel(/Reason/).fill("browser test");
    await page.getByRole("dialog").getByRole("button", { name: "Suspend" }).click();
    await page.locator(".heading .badge", { hasText: "suspended" }).waitFor();
    await page.getByText("Reason: browser test").waitFor();
    await page.getByRole("button", { name: "Reactivate" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Reactivate" }).click();
    await page.locator(".heading .badge", { hasText: "active" }).waitFor();
  });

  it("is readable at phone width and in the dark theme", async () => {
    const page = await superAdminPage(env(), { phone: true, dark: true });
    expect(await fitsWidth(page)).toBe(true);
    const bg = await page.evaluate("getComputedStyle(document.body).backgroundColor");
    expect(bg).toBe("rgb(13, 17, 23)");
    await screenshot(page, "command-center-sessions-phone-dark");
    await page.getByRole("link", { name: "Tenants" }).click();
    await page.getByRole("link", { name: "Demo Company" }).waitFor();
    expect(await fitsWidth(page)).toBe(true);
    // The theme switch overrides the system's choice, and is remembered.
    await page.getByRole("button", { name: "Theme: system" }).click();
    await page.getByRole("button", { name: "Theme: dark" }).click();
    expect(await page.evaluate("document.documentElement.dataset.theme")).toBe("light");
    await page.reload();
    await page.getByRole("button", { name: "Theme: light" }).waitFor();
    expect(await page.evaluate("getComputedStyle(document.body).backgroundColor")).toBe("rgb(246, 248, 250)");
  });
}
