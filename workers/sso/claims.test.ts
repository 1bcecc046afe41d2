// The claim decision: email, domain, the IdP's active flag, group → role mapping and the MFA claim.
import { describe, expect, it } from "vitest";
import { type ClaimRules, decide, hasMfa, inDomain, roleFor } from "./claims.ts";

const rules: ClaimRules = {
  emailClaim: "email",
  roleClaim: "groups",
  roleMapping: [
    { value: "ops-admins", role_id: "admin" },
    { value: "ops", role_id: "tech" },
  ],
  defaultRoleId: "observer",
  domain: "acme.com",
};

describe("decide", () => {
  it("accepts a verified email of the domain and maps the first matching group", () => {
    const d = decide({ email: "Ann@Acme.com", name: "Ann", groups: ["ops", "ops-admins"] }, rules);
    expect(d).toEqual({
      ok: true,
      email: "ann@acme.com",
      name: "Ann",
      roleId: "admin",
      mfa: false,
      matched: "ops-admins",
    });
  });

  it("gives the default role when no group matches or the claim is missing", () => {
    expect(roleFor({ groups: ["sales"] }, rules)).toEqual({ roleId: "observer", matched: null });
    expect(roleFor({}, rules)).toEqual({ roleId: "observer", matched: null });
    expect(roleFor({ groups: "ops" }, rules)).toEqual({ roleId: "tech", matched: "ops" });
    expect(roleFor({ groups: ["ops"] }, { ...rules, roleClaim: null })).toEqual({
      roleId: "observer",
      matched: null,
    });
  });

  it("refuses another domain, an unverified email, a missing email, an inactive user, no domain set", () => {
    expect(decide({ email: "x@evil.com" }, rules)).toMatchObject({
      ok: false,
      reason: "email domain is not acme.com",
    });
    expect(decide({ email: "x@acme.com.evil.com" }, rules)).toMatchObject({ ok: false });
    expect(decide({ email: "x@acme.com", email_verified: false }, rules)).toMatchObject({ ok: false });
    expect(decide({ sub: "1" }, rules)).toMatchObject({ ok: false, email: null });
    expect(decide({ email: "x@acme.com", active: false }, rules)).toMatchObject({
      ok: false,
      reason: "disabled at the identity provider",
    });
    expect(decide({ email: "x@acme.com" }, { ...rules, domain: null })).toMatchObject({ ok: false });
  });

  it("falls back to preferred_username for the email (Entra ID)", () => {
    expect(decide({ preferred_username: "bo@eu.acme.com" }, rules)).toMatchObject({
      ok: true,
      email: "bo@eu.acme.com",
    });
  });
});

describe("inDomain and hasMfa", () => {
  it("matches the domain and its subdomains only", () => {
    expect(inDomain("a@acme.com", "acme.com")).toBe(true);
    expect(inDomain("a@eu.acme.com", "acme.com")).toBe(true);
    expect(inDomain("a@notacme.com", "acme.com")).toBe(false);
  });
  it("counts mfa, otp and hwk in amr, not pwd", () => {
    expect(hasMfa({ amr: ["pwd", "mfa"] })).toBe(true);
    expect(hasMfa({ amr: ["hwk"] })).toBe(true);
    expect(hasMfa({ amr: ["pwd"] })).toBe(false);
    expect(hasMfa({})).toBe(false);
  });
});
