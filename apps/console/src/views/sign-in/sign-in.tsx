// Sign-in for both kinds of caller. On a tenant's host (demo.localhost) the host names the organization; on
// the platform host an "Organization" field picks one (kept for this tab and sent as X-Tenant-ID), and left
// empty it signs a super admin into the Command Center. A second step asks for the TOTP code, or a recovery
// code, when the account has 2FA. A throttled sign-in says how long to wait and counts down. On a tenant's
// host an organization with single sign-on gets "Sign in with …" buttons, and a refused SSO sign-in comes
// back here with `?sso_error=` saying why.

import { useQuery } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { ApiFailure, findTenant, pickTenant, signIn, ssoOptions, startSso } from "../../api/index.ts";
import { signInMessage } from "../../api/messages.ts";
import { homeFor } from "../../shell/nav.ts";
import { endedBecause, pickedTenant, signedIn, site } from "../../state/session.ts";
import { Alert } from "../../ui/states.tsx";
import { SecondFactor } from "./second-factor.tsx";
import { useCountdown } from "./use-countdown.ts";

type Step = "credentials" | "totp" | "recovery";

export function SignIn() {
  const { path, route } = useLocation();
  const here = site.value;
  const onTenantHost = here?.kind === "tenant";
  const [org, setOrg] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [step, setStep] = useState<Step>("credentials");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [waitLeft, startWait] = useCountdown();
  const sso = useQuery({
    queryKey: ["sso-options"],
    queryFn: ssoOptions,
    enabled: onTenantHost,
    retry: false,
  });
  const ssoError = new URLSearchParams(location.search).get("sso_error");

  async function signInWith(providerId: string) {
    setBusy(true);
    setFailure(null);
    try {
      const returnTo = path === "/" || path === "/sign-in" ? undefined : path;
      window.location.assign(await startSso(providerId, returnTo));
    } catch (err) {
      if (!(err instanceof ApiFailure)) throw err;
      setFailure(err);
      setBusy(false);
    }
  }

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      if (!onTenantHost) {
        const ref = org.trim().toLowerCase();
        const picked = ref ? await findTenant(ref) : null;
        pickTenant(picked?.id ?? null);
        pickedTenant.value = picked;
      }
      const user = await signIn({
        email,
        password,
        totp: step === "totp" ? code : undefined,
        recoveryCode: step === "recovery" ? code : undefined,
      });
      signedIn(user);
      // A deep link opened while signed out opens after signing in; the bare address goes home.
      if (path === "/" || path === "/sign-in") route(homeFor(user), true);
    } catch (err) {
      if (!(err instanceof ApiFailure)) throw err;
      if (err.code === "TWO_FACTOR_REQUIRED") {
        setStep("totp");
        setCode("");
      } else {
        setFailure(err);
        if (err.code === "RATE_LIMITED") {
          const d = err.details as { retryAfterSeconds?: number } | null;
          startWait(d?.retryAfterSeconds ?? err.retryAfterSeconds ?? 60);
        }
      }
    } finally {
      setBusy(false);
    }
  }

  const title = onTenantHost ? `Sign in to ${here.tenant.company_name}` : "Sign in to Nostromo";
  const throttled = failure?.code === "RATE_LIMITED" && waitLeft > 0;
  return (
    <main class="sign-in">
      <form class="card" onSubmit={submit} aria-labelledby="sign-in-title" noValidate>
        <h1 id="sign-in-title">{title}</h1>
        {endedBecause.value && <Alert kind="info">{endedBecause.value}</Alert>}
        {ssoError && <Alert>Single sign-on failed: {ssoError}</Alert>}
        {step === "credentials" && sso.data && sso.data.providers.length > 0 && (
          <div class="actions sso">
            {sso.data.providers.map((p) => (
              <button
                key={p.id}
                type="button"
                class="primary"
                disabled={busy}
                onClick={() => signInWith(p.id)}
              >
                Sign in with {p.display_name}
              </button>
            ))}
            {sso.data.sso_enabled && (
              <small class="hint">Password sign-in is for the organization's break-glass account only.</small>
            )}
          </div>
        )}
        {step === "credentials" ? (
          <>
            {!onTenantHost && (
              <div class="field">
                <label for="org">Organization</label>
                <input
                  id="org"
                  name="organization"
                  value={org}
                  onInput={(e) => setOrg(e.currentTarget.value)}
                  autocomplete="organization"
                  aria-describedby="org-hint"
                  placeholder="e.g. demo"
                />
                <small id="org-hint" class="hint">
                  Your organization's name (subdomain). Leave empty to sign in to the Command Center as a
                  platform administrator.
                </small>
              </div>
            )}
            <div class="field">
              <label for="email">Email</label>
              <input
                id="email"
                type="email"
                name="email"
                required
                autocomplete="username"
                value={email}
                onInput={(e) => setEmail(e.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label for="password">Password</label>
              <input
                id="password"
                type="password"
                name="password"
                required
                autocomplete="current-password"
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            </div>
          </>
        ) : (
          <SecondFactor
            mode={step === "totp" ? "totp" : "recovery"}
            code={code}
            onCode={setCode}
            onSwitch={() => {
              setStep(step === "totp" ? "recovery" : "totp");
              setCode("");
              setFailure(null);
            }}
          />
        )}
        {failure && <Alert>{signInMessage(failure, throttled ? waitLeft : undefined)}</Alert>}
        <div class="actions">
          {step !== "credentials" && (
            <button
              type="button"
              onClick={() => {
                setStep("credentials");
                setFailure(null);
              }}
            >
              Back
            </button>
          )}
          <button type="submit" class="primary" disabled={busy || throttled}>
            {busy ? "Signing in…" : step === "credentials" ? "Sign in" : "Verify"}
          </button>
        </div>
      </form>
    </main>
  );
}
