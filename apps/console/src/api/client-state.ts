// What every API call needs from the session, kept outside the UI's state so the API module has no
// dependency on it: the CSRF token of the current login, the tenant picked at sign-in on the platform host,
// and who to tell when the server says the login is gone.
import type { ApiFailure } from "./http.ts";

const TENANT_KEY = "nostromo.tenant";

export const clientState: {
  csrfToken: string | null;
  tenant: string | null;
  onSignedOut: ((failure: ApiFailure) => void) | null;
} = {
  csrfToken: null,
  tenant: sessionStorage.getItem(TENANT_KEY),
  onSignedOut: null,
};

/** Remembers (for this tab) the tenant picked on the platform host's sign-in page; null forgets it. */
export function pickTenant(ref: string | null): void {
  clientState.tenant = ref;
  if (ref) sessionStorage.setItem(TENANT_KEY, ref);
  else sessionStorage.removeItem(TENANT_KEY);
}
