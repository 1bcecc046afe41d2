// Sign-in, sign-out, who am I, and the tenant a host or a picked name resolves to. `Me` is the console's
// one derived shape: the document's two principals (super admin, tenant user) folded into what the shell
// and the permission checks read.
import { ApiError } from "@nostromo/client";
import { clientState } from "./client-state.ts";
import { ApiFailure, api, hostApi, ok, type Schemas } from "./http.ts";

export type TenantInfo = Schemas["TenantInfo"];

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

export interface Credentials {
  email: string;
  password: string;
  totp?: string;
  recoveryCode?: string;
}

function toMe(p: Schemas["Me"]["principal"]): Me {
  const base = { id: p.id, email: p.email, name: p.name };
  if (p.kind === "super_admin")
    return {
      ...base,
      kind: "super_admin",
      tenantId: null,
      role: "Super admin",
      permissions: [],
      pendingStep: null,
    };
  const u = p as Schemas["UserPrincipal"];
  return {
    ...base,
    kind: "user",
    tenantId: u.tenant_id,
    role: u.role_name,
    permissions: u.permissions,
    pendingStep: u.pending_step ?? null,
  };
}

/** The current login, or null when there is none (401). */
export async function me(): Promise<Me | null> {
  try {
    const body = await ok(api.GET("/api/auth/me"));
    clientState.csrfToken = body.csrf_token;
    return toMe(body.principal);
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) return null;
    throw err;
  }
}

export async function signIn(c: Credentials): Promise<Me> {
  const body = {
    email: c.email,
    password: c.password,
    totp: c.totp || undefined,
    recovery_code: c.recoveryCode || undefined,
  };
  const res = await ok(api.POST("/api/auth/login", { body }));
  clientState.csrfToken = res.csrf_token;
  const current = await me();
  if (!current)
    throw new ApiFailure(
      new ApiError(401, "UNAUTHORIZED", "The login did not stick: are cookies blocked?"),
      null,
    );
  return current;
}

export async function signOut(): Promise<void> {
  try {
    await api.POST("/api/auth/logout");
  } finally {
    clientState.csrfToken = null;
  }
}

/** The tenant this host names (a subdomain such as demo.localhost), or null on the platform host. */
export async function hostTenant(): Promise<TenantInfo | null> {
  try {
    return await ok(hostApi.GET("/api/tenant/info"));
  } catch (err) {
    if (err instanceof ApiFailure && err.code === "TENANT_NOT_FOUND") return null;
    throw err;
  }
}

/** The tenant a name typed in the sign-in picker (subdomain or id) names; fails with TENANT_NOT_FOUND. */
export function findTenant(ref: string): Promise<TenantInfo> {
  return ok(hostApi.GET("/api/tenant/info", { headers: { "x-tenant-id": ref } }));
}

/** Starts TOTP enrolment: the secret (for typing in by hand) and the otpauth:// URI (for the QR code). */
export function enrolTotp() {
  return ok(api.POST("/api/auth/2fa/enroll"));
}

/** Confirms enrolment with a first code; answers the recovery codes, shown this once. */
export async function confirmTotp(code: string): Promise<string[]> {
  return (await ok(api.POST("/api/auth/2fa/verify", { body: { code } }))).recovery_codes;
}
