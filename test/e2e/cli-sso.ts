// `nostromo login --sso` against the real stack, with a loopback redirect (RFC 8252): through an OpenID
// Provider (oidc-provider on loopback: the IdP's redirect to the server's callback is forwarded to the
// CLI's listener) and through a SAML 2.0 IdP (test/support/saml-idp-server.ts: its signed answer, posted by
// the person's browser to the ACS without the CLI's cookie, is posted on to the listener — a 307 — and the
// CLI presents it to the ACS itself). $BROWSER is a script that records the URL it is asked to open.
import { expect, it } from "vitest";
import { IdpBrowser, registerClient, setIdpAccount } from "../support/idp-browser.ts";
import { startIdp } from "../support/oidc-idp.ts";
import { startSamlIdp } from "../support/saml-idp-server.ts";
import { makeSamlKeys } from "../support/saml-keys.ts";
import { BIN, type CliSuite, run, ssoLogin } from "./cli-support.ts";
import { DEMO_ADMIN, waitFor } from "./harness.ts";

const unescapeHtml = (s: string) =>
  s.replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&amp;", "&");

export function ssoLoginCases(suite: CliSuite) {
  it("login --sso: opens $BROWSER; the IdP's answer comes back to the CLI's loopback listener", async () => {
    const idp = await startIdp();
    const url = suite.live.e2e.stack.url;
    const tenantId = suite.live.e2e.stack.demoTenantId ?? "";
    let providerId = "";
    try {
      const domain = DEMO_ADMIN.email.split("@")[1] ?? "";
      expect((await suite.live.admin.call("PATCH", "/api/settings", { domain })).status).toBe(200);
      const roles = await suite.live.admin.call<{ data: { id: string; name: string }[] }>(
        "GET",
        "/api/roles",
      );
      const reg = await registerClient(idp.issuer, `${url}/api/auth/sso/callback?tenantId=${tenantId}`);
      const made = await suite.live.admin.call<{ id: string }>("POST", "/api/sso/providers", {
        preset: "generic",
        issuer: idp.issuer,
        client_id: reg.client_id,
        client_secret: reg.client_secret,
        default_role_id: roles.body.data.find((r) => r.name === "Observer")?.id,
        enabled: true,
      });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      providerId = made.body.id;
      await setIdpAccount(idp.issuer, "dallas", { password: "idp-pass", email: `dallas@${domain}` });
      const { env: ssoEnv, urlsOpened, login } = ssoLogin(suite, url, tenantId);
      // --no-browser: the URL is printed, no browser is started.
      const quiet = login(["--no-browser"]);
      await waitFor("the printed sign-in URL", async () =>
        /https?:\/\/\S+\/auth\?\S+/.test(quiet.out.stderr),
      );
      expect(quiet.out.stderr).toContain("Open this address in a browser");
      expect(urlsOpened()).toEqual([]);
      quiet.proc.kill();
      await quiet.exited;

      const cli = login([]);
      await waitFor(
        "the browser opened on the sign-in URL",
        async () => urlsOpened().length === 1 && cli.out.stderr.includes("Your browser was opened"),
      );
      const authUrl = urlsOpened()[0] ?? "";
      expect(authUrl).toMatch(/^https?:\/\/\S+\/auth\?\S+/);
      expect(cli.out.stderr).toContain("Your browser was opened");
      expect(cli.out.stderr).toContain(authUrl);
      const stderr = () => cli.out.stderr;
      // The person's browser: the IdP, then the server's callback, which forwards to the CLI's listener.
      const back = await new IdpBrowser(idp.issuer).signIn(authUrl, "dallas", "idp-pass");
      const forwarded = await fetch(back, { redirect: "manual" });
      expect(forwarded.status).toBe(303);
      const loopback = forwarded.headers.get("location") ?? "";
      expect(loopback).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?\S*\bcode=/);
      const page = await fetch(loopback);
      expect(await page.text(), stderr()).toContain("Signed in to Nostromo");
      expect(await cli.exited, stderr()).toBe(0);
      const who = await run(process.execPath, [BIN, "whoami"], { env: ssoEnv });
      expect(who.stdout).toContain(`dallas@${domain}`);
    } finally {
      if (providerId) await suite.live.admin.call("DELETE", `/api/sso/providers/${providerId}`);
      await idp.close();
    }
  });

  it("login --sso through a SAML IdP: the browser posts the IdP's answer on to the CLI's listener", async () => {
    const url = suite.live.e2e.stack.url;
    const tenantId = suite.live.e2e.stack.demoTenantId ?? "";
    const domain = DEMO_ADMIN.email.split("@")[1] ?? "";
    const keys = makeSamlKeys("cli-saml");
    const idp = await startSamlIdp({ keys, person: { email: `lambert@${domain}`, groups: [] } });
    let providerId = "";
    try {
      expect((await suite.live.admin.call("PATCH", "/api/settings", { domain })).status).toBe(200);
      const roles = await suite.live.admin.call<{ data: { id: string; name: string }[] }>(
        "GET",
        "/api/roles",
      );
      const made = await suite.live.admin.call<{ id: string }>("POST", "/api/sso/providers", {
        type: "saml",
        preset: "generic",
        idp_entity_id: idp.entityId,
        sso_url: idp.ssoUrl,
        idp_certificate: keys.cert,
        default_role_id: roles.body.data.find((r) => r.name === "Observer")?.id,
        enabled: true,
      });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      providerId = made.body.id;
      const { env: ssoEnv, urlsOpened, login } = ssoLogin(suite, url, tenantId, "saml");
      const cli = login([]);
      await waitFor("the browser opened on the IdP", async () => urlsOpened().length === 1);
      const authUrl = urlsOpened()[0] ?? "";
      expect(authUrl.startsWith(`${idp.ssoUrl}?SAMLRequest=`)).toBe(true);
      const stderr = () => cli.out.stderr;

      // The person's browser: the IdP's page, whose form posts the signed answer to the ACS — without the
      // CLI's sso_saml cookie, so the server sends the post on to the CLI's listener.
      const page = await (await fetch(authUrl)).text();
      const field = (name: string) =>
        unescapeHtml(new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1] ?? "");
      const action = unescapeHtml(/action="([^"]+)"/.exec(page)?.[1] ?? "");
      expect(action).toBe(`${url}/api/auth/sso/saml/acs?tenantId=${tenantId}`);
      const form = new URLSearchParams({
        SAMLResponse: field("SAMLResponse"),
        RelayState: field("RelayState"),
      });
      const formHeaders = { "content-type": "application/x-www-form-urlencoded" };
      const acs = await fetch(action, {
        method: "POST",
        headers: formHeaders,
        body: form,
        redirect: "manual",
      });
      expect(acs.status, stderr()).toBe(307);
      expect(acs.headers.get("set-cookie") ?? "").not.toMatch(/\bsid=/);
      const loopback = acs.headers.get("location") ?? "";
      expect(loopback).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      const done = await fetch(loopback, { method: "POST", headers: formHeaders, body: form });
      expect(await done.text(), stderr()).toContain("Signed in to Nostromo");
      expect(await cli.exited, stderr()).toBe(0);
      const who = await run(process.execPath, [BIN, "whoami"], { env: ssoEnv });
      expect(who.stdout).toContain(`lambert@${domain}`);
      // The same answer again, now from the browser: its request is used up — the sign-in page says so.
      const again = await fetch(action, {
        method: "POST",
        headers: formHeaders,
        body: form,
        redirect: "manual",
      });
      expect(again.status).toBe(303);
      expect(again.headers.get("location")).toMatch(/^\/\?sso_error=.*&sso_reason=in_response_to$/);
    } finally {
      if (providerId) await suite.live.admin.call("DELETE", `/api/sso/providers/${providerId}`);
      await idp.close();
    }
  });
}
