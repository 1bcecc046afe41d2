// Single sign-on in Chromium: the organization's admin sees the SSO section of the settings (redirect URI,
// no secret), then a person clicks "Sign in with …" on the tenant's host, signs in on the OpenID
// Provider's own login page (oidc-provider, started here on loopback) and lands in the console signed in,
// created just in time with the role their group maps to. The same through a SAML 2.0 IdP: the settings
// show the ACS URL to register, "Sign in with …" goes to the IdP, whose signed answer is posted back.
import { expect, it } from "vitest";
import { registerClient, setIdpAccount } from "../support/idp-browser.ts";
import { startIdp } from "../support/oidc-idp.ts";
import { startSamlIdp } from "../support/saml-idp-server.ts";
import { makeSamlKeys } from "../support/saml-keys.ts";
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

  it("signs a person in through the organization's SAML 2.0 IdP (redirect, signed POST back, JIT)", async () => {
    const domain = env().demoAdmin.email.split("@")[1] ?? "";
    const keys = makeSamlKeys("weyland-saml");
    const idp = await startSamlIdp({ keys, person: { email: `ash@${domain}`, groups: ["ops"] } });
    const api = await env().api();
    let providerId = "";
    try {
      expect((await api.call("PATCH", "/api/settings", { domain })).status).toBe(200);
      const roles = await api.call<{ data: { id: string; name: string }[] }>("GET", "/api/roles");
      const roleId = (name: string) => roles.body.data.find((r) => r.name === name)?.id;
      const made = await api.call<{ id: string }>("POST", "/api/sso/providers", {
        type: "saml",
        preset: "generic",
        display_name: "Weyland SAML",
        idp_entity_id: idp.entityId,
        sso_url: idp.ssoUrl,
        idp_certificate: keys.cert,
        role_mapping: [{ value: "ops", role_id: roleId("Technician") }],
        default_role_id: roleId("Observer"),
        enabled: true,
      });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      providerId = made.body.id;

      // The admin's settings page: the SAML form with what to register at the IdP.
      const admin = await (await env().context()).newPage();
      await admin.goto(env().demo);
      await signIn(admin, env().demoAdmin);
      await admin.getByRole("heading", { name: "Dashboard" }).waitFor();
      await admin.goto(`${env().demo}/settings`);
      await admin.getByRole("heading", { name: "SAML 2.0 identity provider" }).waitFor();
      await expect.poll(() => admin.getByLabel("IdP entity ID").inputValue()).toBe(idp.entityId);
      expect(await admin.getByText(`${env().demo}/api/auth/sso/saml/acs`).count()).toBe(1);

      // The person: "Sign in with Weyland SAML" → the IdP's page → its signed answer posted to the ACS.
      const page = await (await env().context()).newPage();
      await page.goto(env().demo);
      await page.getByRole("button", { name: "Sign in with Weyland SAML" }).click();
      await page.waitForURL(`${idp.ssoUrl}?**`);
      await page.getByRole("button", { name: `Sign in as ash@${domain}` }).click();
      await page.getByRole("heading", { name: "Dashboard" }).waitFor();
      expect(new URL(page.url()).host).toBe(new URL(env().demo).host);
      const me = (await page.evaluate(async () => (await fetch("/api/auth/me")).json())) as {
        principal: Record<string, unknown>;
      };
      expect(me.principal).toMatchObject({ email: `ash@${domain}`, role_name: "Technician" });
    } finally {
      if (providerId) await api.call("DELETE", `/api/sso/providers/${providerId}`);
      await idp.close();
    }
  });
}
