// Sign-in cases: the super admin on the platform host; a tenant user through the organization picker with
// TOTP; a recovery code on the tenant's own host; wrong password; a throttled sign-in that says how long.
import * as OTPAuth from "otpauth";
import { expect, it } from "vitest";
import { Http } from "../e2e/harness.ts";
import { type ConsoleEnv, screenshot, signIn } from "./harness.ts";

export interface TwoFactorUser {
  email: string;
  password: string;
  secret: string;
  recoveryCodes: string[];
}

/** A tenant user with the given role and TOTP turned on, made through the API. */
export async function userWith2fa(admin: Http, role: string, email: string): Promise<TwoFactorUser> {
  const roles = await admin.call<{ data: { id: string; name: string }[] }>("GET", "/api/roles");
  const roleId = roles.body.data.find((r) => r.name === role)?.id;
  const password = "browser-test-password-1";
  const made = await admin.call("POST", "/api/users", {
    email,
    password,
    name: `${role} Browser`,
    role_id: roleId,
  });
  expect(made.status).toBe(201);
  const u = new Http(admin.base, admin.tenantId);
  await u.login(email, password);
  const enrol = await u.call<{ secret: string }>("POST", "/api/auth/2fa/enroll");
  const code = totpNow(enrol.body.secret, email);
  const verified = await u.call<{ recovery_codes: string[] }>("POST", "/api/auth/2fa/verify", { code });
  expect(verified.status).toBe(200);
  return { email, password, secret: enrol.body.secret, recoveryCodes: verified.body.recovery_codes };
}

export function totpNow(secret: string, label: string): string {
  return new OTPAuth.TOTP({
    issuer: "Nostromo",
    label,
    algorithm: "SHA1",
    digits: 6,
    period: 30,
    secret: OTPAuth.Secret.fromBase32(secret),
  }).generate();
}

export function signInCases(env: () => ConsoleEnv) {
  it("signs the super admin into the Command Center on the platform host (keyboard only)", async () => {
    const page = await (await env().context()).newPage();
    await page.goto(env().platform);
    await page.getByRole("heading", { name: "Sign in to Nostromo" }).waitFor();
    await screenshot(page, "sign-in");
    await signIn(page, env().superAdmin, "");
    await page.waitForURL("**/cc/sessions");
    await page.getByRole("heading", { name: "Active sessions" }).waitFor();
    const nav = await page.getByRole("navigation", { name: "Main" }).getByRole("link").allTextContents();
    expect(nav).toEqual(["Sessions", "Monitoring", "Tenants"]);
  });

  it("says so when the password is wrong, and keeps the form", async () => {
    const page = await (await env().context()).newPage();
    await page.goto(env().platform);
    await signIn(page, { email: env().superAdmin.email, password: "not-the-password" }, "");
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toBe("Wrong email, password or code.");
    expect(await page.getByLabel("Email").inputValue()).toBe(env().superAdmin.email);
  });

  it("signs a tenant user in through the organization picker with a TOTP code", async () => {
    const admin = await env().api();
    const user = await userWith2fa(admin, "Technician", "tech-2fa@demo-e2e.example");
    const page = await (await env().context()).newPage();
    await page.goto(env().platform);
    await signIn(page, user, "demo");
    await page.getByLabel("Authentication code").waitFor();
    await screenshot(page, "sign-in-totp");
    await page.getByLabel("Authentication code").fill(totpNow(user.secret, user.email));
    await page.getByLabel("Authentication code").press("Enter");
    await page.waitForURL("**/dashboard");
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    expect(await page.getByText("Demo Company").first().isVisible()).toBe(true);

    // The same user on the tenant's own host, with a recovery code instead of the app.
    const other = await (await env().context()).newPage();
    await other.goto(env().demo);
    await other.getByRole("heading", { name: "Sign in to Demo Company" }).waitFor();
    expect(await other.getByLabel("Organization").count()).toBe(0);
    await signIn(other, user);
    await other.getByRole("button", { name: "Use a recovery code instead" }).click();
    await other.getByLabel("Recovery code").fill(user.recoveryCodes[0] ?? "");
    await other.getByRole("button", { name: "Verify" }).click();
    await other.getByRole("heading", { name: "Dashboard" }).waitFor();
  });

  it("tells a throttled sign-in how long to wait, and refuses an unknown organization", async () => {
    const page = await (await env().context()).newPage();
    await page.goto(env().demo);
    const who = { email: "nobody-throttle@demo-e2e.example", password: "wrong-password" };
    for (let i = 0; i < 5; i++) {
      // The form submits only once the previous answer has re-enabled its button.
      await page.locator("button[type=submit]:enabled").waitFor();
      const answered = page.waitForResponse((r) => r.url().endsWith("/api/auth/login"));
      await signIn(page, who);
      expect((await answered).status()).toBe(401);
    }
    await signIn(page, who);
    const alert = page.getByRole("alert").filter({ hasText: "Too many failed sign-ins" });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Try again in (\d+ min( \d+ s)?|\d+ s)\.$/);
    expect(await page.getByRole("button", { name: "Sign in" }).isDisabled()).toBe(true);
    await screenshot(page, "sign-in-throttled");

    const picker = await (await env().context()).newPage();
    await picker.goto(env().platform);
    await signIn(picker, env().demoAdmin, "no-such-org");
    await picker.getByRole("alert").filter({ hasText: "No organization by that name." }).waitFor();
  });

  it("confines a user of an organization that requires 2FA to enrolment: QR code, first code, recovery codes", async () => {
    const root = new Http(env().e2e.stack.url);
    await root.login(env().superAdmin.email, env().superAdmin.password);
    const owner = { email: "owner@strict-2fa.example", password: "strict-owner-password" };
    const made = await root.call("POST", "/api/admin/tenants/provision", {
      companyName: "Strict 2FA Co",
      subdomain: "strict-2fa",
      tier: "free",
      adminEmail: owner.email,
      adminPassword: owner.password,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const admin = new Http(env().e2e.stack.url, "strict-2fa");
    await admin.login(owner.email, owner.password);
    const set = await admin.call("PATCH", "/api/settings", { settings: { require_2fa: true } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);

    const page = await (await env().context()).newPage();
    await page.goto(env().platform);
    await signIn(page, owner, "strict-2fa");
    await page.getByRole("heading", { name: "Set up two-factor authentication" }).waitFor();
    await page.getByRole("img", { name: "QR code for your authenticator app" }).waitFor();
    const secret = (await page.locator("code.secret").textContent()) ?? "";
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await screenshot(page, "sign-in-enrol-2fa");
    await page.getByLabel("Code from the app").fill("000000");
    await page.getByRole("button", { name: "Turn on" }).click();
    await page.getByText("That code does not match. Try the current one.").waitFor();
    await page.getByLabel("Code from the app").fill(totpNow(secret, owner.email));
    await page.getByRole("button", { name: "Turn on" }).click();
    const list = page.getByRole("list", { name: "Recovery codes" });
    await list.waitFor();
    await screenshot(page, "sign-in-recovery-codes");
    const codes = await list.getByRole("listitem").allTextContents();
    expect(codes).toHaveLength(10);
    await page.getByRole("button", { name: /I have saved them/ }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    expect(await page.getByText("Strict 2FA Co").first().isVisible()).toBe(true);
  });
}
