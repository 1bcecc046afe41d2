// Single sign-on in Chromium: the organization's admin sees the SSO section of the settings (redirect URI,
// no secret), then a person clicks "Sign in with …" on the tenant's host, signs in on the OpenID
// Provider's own login page (oidc-provider, started here on loopback) and lands in the console signed in,
// created just in time with the role their group maps to. The same through a SAML 2.0 IdP: the admin
// imports the IdP's metadata by its URL into the SAML form (the ACS URL to register shown), "Sign in with …"
// goes to the IdP, whose signed answer is posted back; a person the organization refuses lands back on the
// sign-in page with the reason.
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
      await screenshot(
        admin.getByRole("form", { name: "OpenID Connect provider" }),
        "tenant-settings-sso-oidc",
      );

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
    const person = { email: `ash@${domain}`, groups: ["ops"] };
    const idp = await startSamlIdp({ keys, person });
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
        // A placeholder: the admin imports the real values from the IdP's metadata below.
        idp_entity_id: "https://placeholder.example/idp",
        sso_url: idp.ssoUrl,
        idp_certificate: keys.cert,
        role_mapping: [{ value: "ops", role_id: roleId("Technician") }],
        default_role_id: roleId("Observer"),
        enabled: true,
      });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      providerId = made.body.id;

      // The admin's settings page: the SAML form with what to register at the IdP; the IdP's values
      // imported from its metadata URL, then saved.
      const admin = await (await env().context()).newPage();
      await admin.goto(env().demo);
      await signIn(admin, env().demoAdmin);
      await admin.getByRole("heading", { name: "Dashboard" }).waitFor();
      await admin.goto(`${env().demo}/settings`);
      await admin.getByRole("heading", { name: "SAML 2.0 identity provider" }).waitFor();
      expect(await admin.getByText(`${env().demo}/api/auth/sso/saml/acs`).count()).toBe(1);
      await expect
        .poll(() => admin.getByLabel("IdP entity ID").inputValue())
        .toBe("https://placeholder.example/idp");
      await admin.getByText("Import the IdP's metadata").click();
      await admin.getByLabel("Metadata URL").fill(idp.entityId);
      await admin.getByRole("button", { name: "Import metadata" }).click();
      await admin.getByText("Filled in from the metadata (1 signing certificate)").waitFor();
      expect(await admin.getByLabel("IdP entity ID").inputValue()).toBe(idp.entityId);
      expect(await admin.getByLabel("IdP SSO URL").inputValue()).toBe(idp.ssoUrl);
      const samlForm = admin.getByRole("form", { name: "SAML 2.0 identity provider" });
      await screenshot(samlForm, "tenant-settings-sso-saml");
      await admin.getByRole("button", { name: "Save SAML provider" }).click();
      await admin.getByText("SAML provider saved.").waitFor();

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

      // Someone of another domain: the ACS refuses them and the browser lands on the sign-in page.
      person.email = "parker@elsewhere.example";
      const refused = await (await env().context()).newPage();
      await refused.goto(env().demo);
      await refused.getByRole("button", { name: "Sign in with Weyland SAML" }).click();
      await refused.getByRole("button", { name: "Sign in as parker@elsewhere.example" }).click();
      await refused.getByText("Single sign-on failed:").waitFor();
      const back = new URL(refused.url());
      expect(back.host).toBe(new URL(env().demo).host);
      expect(back.searchParams.get("sso_reason")).toBe("refused");
      await refused.getByRole("button", { name: "Sign in with Weyland SAML" }).waitFor();
      await screenshot(refused, "sign-in-sso-refused");
    } finally {
      if (providerId) await api.call("DELETE", `/api/sso/providers/${providerId}`);
      await idp.close();
    }
  });
}
