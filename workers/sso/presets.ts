// What each preset fills in when an admin creates an OIDC provider: the issuer (a template when it depends
// on the customer's own Okta domain or Entra tenant), the scopes, the claim that carries the email and the
// claim that carries groups. Values an admin gives explicitly always win over the preset.
import type { SsoPreset } from "../../db/schema/tenant/sso-provider.ts";

export interface Preset {
  label: string;
  /** `{placeholder}` parts are the customer's own (Okta domain, Entra tenant id). */
  issuerTemplate: string | null;
  scopes: string[];
  emailClaim: string;
  roleClaim: string | null;
}

export const PRESETS: Record<SsoPreset, Preset> = {
  okta: {
    label: "Okta",
    issuerTemplate: "https://{okta_domain}/oauth2/default",
    scopes: ["openid", "email", "profile", "groups"],
    emailClaim: "email",
    roleClaim: "groups",
  },
  azure_ad: {
    label: "Microsoft Entra ID",
    issuerTemplate: "https://login.microsoftonline.com/{tenant_id}/v2.0",
    scopes: ["openid", "email", "profile"],
    // Entra puts the sign-in name in preferred_username; `email` is only there when the user has a mailbox.
    emailClaim: "email",
    roleClaim: "groups",
  },
  google: {
    label: "Google Workspace",
    issuerTemplate: "https://accounts.google.com",
    scopes: ["openid", "email", "profile"],
    emailClaim: "email",
    // Google's ID token carries no groups: every user gets the default role.
    roleClaim: null,
  },
  generic: {
    label: "Single sign-on",
    issuerTemplate: null,
    scopes: ["openid", "email", "profile"],
    emailClaim: "email",
    roleClaim: "groups",
  },
};

/** The issuer a preset implies, when it needs no customer-specific part (Google); otherwise null. */
export function fixedIssuer(preset: SsoPreset): string | null {
  const t = PRESETS[preset].issuerTemplate;
  return t && !t.includes("{") ? t : null;
}
