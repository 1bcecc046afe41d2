// Sign-in, sign-out, who am I, and the tenant a host or a picked name resolves to.
import { clientState } from "./client-state.ts";
import { ApiFailure, request } from "./http.ts";
import { field, str, strings, type Wire } from "./wire.ts";

export interface Me {
  kind: "super_admin" | "user";
  id: string;
  email: string;
  name: string;
  tenantId: string | null;
  role: string;
  permissions: string[];
  /** "2fa_enroll" while the organization requires 2FA the user has not set up. */
  pendingStep: string | null;
}

export interface TenantInfo {
  id: string;
  companyName: string;
  subdomain: string;
}

export interface Credentials {
  email: string;
  password: string;
  totp?: string;
  recoveryCode?: string;
}

function toMe(p: Wire): Me {
  const kind = str(p, "kind") === "super_admin" ? "super_admin" : "user";
  return {
    kind,
    id: str(p, "id"),
    email: str(p, "email"),
    name: str(p, "name"),
    tenantId: kind === "user" ? str(p, "tenantId") : null,
    role: kind === "super_admin" ? "Super admin" : str(p, "roleName") || str(p, "role"),
    permissions: strings(p, "permissions"),
    pendingStep: (field(p, "pendingStep") as string | null | undefined) ?? null,
  };
}

/** The current login, or null when there is none (401). */
export async function me(): Promise<Me | null> {
  try {
    const body = await request<Wire>("GET", "/api/auth/me");
    clientState.csrfToken = str(body, "csrfToken") || null;
    return toMe((field(body, "principal") ?? {}) as Wire);
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) return null;
    throw err;
  }
}

export async function signIn(c: Credentials): Promise<Me> {
  const body: Wire = { email: c.email, password: c.password };
  if (c.totp) body.totp = c.totp;
  if (c.recoveryCode) body.recovery_code = c.recoveryCode;
  const res = await request<Wire>("POST", "/api/auth/login", { body });
  clientState.csrfToken = str(res, "csrfToken") || null;
  const current = await me();
  if (!current)
    throw new ApiFailure(401, "UNAUTHORIZED", "The login did not stick: are cookies blocked?", null, null);
  return current;
}

export async function signOut(): Promise<void> {
  try {
    await request("POST", "/api/auth/logout");
  } finally {
    clientState.csrfToken = null;
  }
}

function toTenant(body: Wire): TenantInfo {
  return { id: str(body, "id"), companyName: str(body, "companyName"), subdomain: str(body, "subdomain") };
}

/** The tenant this host names (a subdomain such as demo.localhost), or null on the platform host. */
export async function hostTenant(): Promise<TenantInfo | null> {
  try {
    return toTenant(await request<Wire>("GET", "/api/tenant/info", { tenant: null }));
  } catch (err) {
    if (err instanceof ApiFailure && err.code === "TENANT_NOT_FOUND") return null;
    throw err;
  }
}

/** The tenant a name typed in the sign-in picker (subdomain or id) names; fails with TENANT_NOT_FOUND. */
export async function findTenant(ref: string): Promise<TenantInfo> {
  return toTenant(await request<Wire>("GET", "/api/tenant/info", { tenant: ref }));
}

/** Starts TOTP enrolment: the secret (for typing in by hand) and the otpauth:// URI (for the QR code). */
export async function enrolTotp(): Promise<{ secret: string; otpauthUri: string }> {
  const r = await request<Wire>("POST", "/api/auth/2fa/enroll");
  return { secret: str(r, "secret"), otpauthUri: str(r, "otpauthUri") };
}

/** Confirms enrolment with a first code; answers the recovery codes, shown this once. */
export async function confirmTotp(code: string): Promise<string[]> {
  const r = await request<Wire>("POST", "/api/auth/2fa/verify", { body: { code } });
  return strings(r, "recoveryCodes");
}
