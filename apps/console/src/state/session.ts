// Who is signed in and where: the host's tenant (a subdomain), the tenant picked at sign-in on the platform
// host, and the current login. Signals, so the shell and every view follow a sign-in or a sign-out at once.
import { signal } from "@preact/signals";
import { clientState } from "../api/client-state.ts";
import {
  type ApiFailure,
  findTenant,
  hostTenant,
  type Me,
  me,
  pickTenant,
  signOut,
  type TenantInfo,
} from "../api/index.ts";

export type Site = { kind: "platform" } | { kind: "tenant"; tenant: TenantInfo };

/** undefined while loading. */
export const site = signal<Site | undefined>(undefined);
/** undefined while loading, null when signed out. */
export const currentUser = signal<Me | null | undefined>(undefined);
/** Why the last login ended when the server ended it (killed, expired): shown on the sign-in page. */
export const endedBecause = signal<string | null>(null);
/** The tenant picked at sign-in on the platform host (its name is shown in the header). */
export const pickedTenant = signal<TenantInfo | null>(null);
export const bootError = signal<ApiFailure | null>(null);

export async function boot(): Promise<void> {
  clientState.onSignedOut = (failure) => {
    if (currentUser.value) {
      endedBecause.value =
        failure.code === "SESSION_EXPIRED" ? "Your sign-in expired. Sign in again." : "You were signed out.";
    }
    currentUser.value = null;
  };
  try {
    const [host, user] = await Promise.all([hostTenant(), me()]);
    site.value = host ? { kind: "tenant", tenant: host } : { kind: "platform" };
    // A subdomain names the tenant by itself: a tenant picked earlier in this tab must not contradict it.
    if (host) pickTenant(null);
    else if (clientState.tenant) pickedTenant.value = await findTenant(clientState.tenant).catch(() => null);
    currentUser.value = user;
  } catch (err) {
    bootError.value = err as ApiFailure;
  }
}

export function signedIn(user: Me): void {
  endedBecause.value = null;
  currentUser.value = user;
}

export async function leave(): Promise<void> {
  try {
    await signOut();
  } finally {
    currentUser.value = null;
    pickTenant(null);
    pickedTenant.value = null;
  }
}
