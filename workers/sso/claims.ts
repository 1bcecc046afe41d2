// The pure decision an SSO sign-in makes from the identity provider's claims: who the person is (email,
// verified, in the organization's domain), whether the IdP says they are active, which role their groups
// give them, and whether the IdP asserted multi-factor authentication (`amr`). No I/O: unit-tested.
import type { SsoRoleRule } from "../../db/schema/tenant/sso-provider.ts";

export type Claims = Record<string, unknown>;

/** The `amr` values (RFC 8176) that count as a second factor for require_2fa. */
export const MFA_AMR = ["mfa", "otp", "hwk", "swk", "sms", "fpt", "face", "iris", "retina", "pin"] as const;

export interface ClaimRules {
  emailClaim: string;
  roleClaim: string | null;
  roleMapping: SsoRoleRule[];
  defaultRoleId: string;
  /** The organization's domain: the email's domain must be it or one of its subdomains. */
  domain: string | null;
}

export type ClaimDecision =
  | { ok: true; email: string; name: string; roleId: string; mfa: boolean; matched: string | null }
  | { ok: false; reason: string; email: string | null };

function claimValues(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  return [];
}

export function emailOf(claims: Claims, emailClaim: string): string | null {
  const raw = claims[emailClaim] ?? (emailClaim === "email" ? claims.preferred_username : undefined);
  if (typeof raw !== "string") return null;
  const email = raw.trim().toLowerCase();
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) ? email : null;
}

export function inDomain(email: string, domain: string): boolean {
  const host = email.slice(email.lastIndexOf("@") + 1);
  const d = domain.toLowerCase();
  return host === d || host.endsWith(`.${d}`);
}

export function hasMfa(claims: Claims): boolean {
  const amr = claimValues(claims.amr);
  return amr.some((m) => (MFA_AMR as readonly string[]).includes(m));
}

/** The role the claims give: the first rule whose value is among the claim's values, else the default. */
export function roleFor(
  claims: Claims,
  rules: Pick<ClaimRules, "roleClaim" | "roleMapping" | "defaultRoleId">,
) {
  if (rules.roleClaim) {
    const values = new Set(claimValues(claims[rules.roleClaim]));
    const rule = rules.roleMapping.find((r) => values.has(r.value));
    if (rule) return { roleId: rule.role_id, matched: rule.value };
  }
  return { roleId: rules.defaultRoleId, matched: null };
}

export function decide(claims: Claims, rules: ClaimRules): ClaimDecision {
  const email = emailOf(claims, rules.emailClaim);
  if (!email) return { ok: false, reason: `no usable email in claim "${rules.emailClaim}"`, email: null };
  if (claims.email_verified === false) return { ok: false, reason: "email not verified by the IdP", email };
  if (!rules.domain) return { ok: false, reason: "the organization has no domain set", email };
  if (!inDomain(email, rules.domain))
    return { ok: false, reason: `email domain is not ${rules.domain}`, email };
  if (claims.active === false) return { ok: false, reason: "disabled at the identity provider", email };
  const name = typeof claims.name === "string" && claims.name.trim() ? claims.name.trim() : email;
  return { ok: true, email, name: name.slice(0, 100), mfa: hasMfa(claims), ...roleFor(claims, rules) };
}
