// Single sign-on in Chromium: the organization's admin sees the SSO section of the settings (redirect URI,
// no secret), then a person clicks "Sign in with …" on the tenant's host, signs in on the OpenID
// Provider's own login page (oidc-provider, started here on loopback) and lands in the console signed in,
// created just in time with the role their group maps to.
import { expect, it } from "vitest";
import { registerClient, setIdpAccount } from "../support/idp-browser.ts";
import { startIdp } from "../support/oidc-idp.ts";
import { type ConsoleEnv, screenshot, signIn } from "./harness.ts";

export function ssoCases(env: () => ConsoleEnv) {
  it("signs a person in through the organization's OpenID Provider (round trip, JIT, group → role)", async () => {
    const idp = await startIdp();
    const api = await env().api();
    let providerId = "";
    try {
      const domain = env().demoAdmin.email.split("@")[1] ?? "";
      expect((await api.call("PATCH", "/api/settings", { domain })).status).toBe(200);
      const roles = await api.call<{ data: { id: string; name: string }[] }>("GET", "/api/roles");
      const roleId = (name: string) => roles.body.data.find((r) => r.name === name)?.id;
      const reg = await registerClient(idp.issuer, `${env().demo}/api/auth/sso/callback`);
      const made = await api.call<{ id: string }>("POST", "/api/sso/providers", {
        preset: "generic",
        display_name: "Weyland IdP",
        issuer: idp.issuer,
        client_id: reg.client_id,
        client_secret: reg.client_secret,
        scopes: ["openid", "email", "profile", "groups"],
        role_mapping: [{ value: "ops", role_id: roleId("Technician") }],
        default_role_id: roleId("Observer"),
        enabled: true,
      });
      expect(made.status).toBe(201);
      providerId = made.body.id;
      await setIdpAccount(idp.issuer, "ripley", {
        password: "nostromo-180924",
        email: `ripley@${domain}`,
        name: "Ellen Ripley",
        groups: ["ops"],
      });

      // The admin's settings page shows the provider and the redirect URI, never the secret.
      const admin = await (await env().context()).newPage();
      await admin.goto(env().demo);
      await signIn(admin, env().demoAdmin);
      await admin.getByRole("heading", { name: "Dashboard" }).waitFor();
      await admin.goto(`${env().demo}/settings`);
      await admin.getByRole("heading", { name: "Single sign-on" }).waitFor();
      await expect.poll(() => admin.getByLabel("Client ID").inputValue()).toBe(reg.client_id);
      expect(await admin.getByLabel("Client secret").inputValue()).toBe("");
      expect(await admin.content()).not.toContain(reg.client_secret);
      expect(await admin.getByText(`${env().demo}/api/auth/sso/callback`).count()).toBe(1);
      await admin.getByRole("heading", { name: "Single sign-on" }).scrollIntoViewIfNeeded();
      await screenshot(admin, "tenant-settings-sso");

      // The person: the tenant's sign-in page → the IdP's login form → back into the console.
      const page = await (await env().context()).newPage();
      await page.goto(env().demo);
      await page.getByRole("button", { name: "Sign in with Weyland IdP" }).waitFor();
      await screenshot(page, "sign-in-sso");
      await page.getByRole("button", { name: "Sign in with Weyland IdP" }).click();
      await page.waitForURL(`${idp.issuer}/interaction/**`);
      await page.locator('input[name="login"]').fill("ripley");
      await page.locator('input[name="password"]').fill("nostromo-180924");
      await page.getByRole("button", { name: "Sign-in" }).click();
      await page.getByRole("heading", { name: "Dashboard" }).waitFor();
      expect(new URL(page.url()).host).toBe(new URL(env().demo).host);
      const me = (await page.evaluate(async () => (await fetch("/api/auth/me")).json())) as {
        principal: Record<string, unknown>;
      };
      expect(me.principal).toMatchObject({ email: `ripley@${domain}`, role_name: "Technician" });
    } finally {
      if (providerId) await api.call("DELETE", `/api/sso/providers/${providerId}`);
      await idp.close();
    }
  });
}
