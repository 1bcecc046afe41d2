// "Your organization requires two-factor authentication": a signed-in user without it is confined here (the
// server refuses everything else) until enrolled — scan the QR code (or type the secret), confirm with a
// first code, then keep the recovery codes, shown this once.
import { useEffect, useState } from "preact/hooks";
import { ApiFailure, confirmTotp, enrolTotp, me } from "../../api/index.ts";
import { describe } from "../../api/messages.ts";
import { leave, signedIn } from "../../state/session.ts";
import { QrCode } from "../../ui/qr-code.tsx";
import { Alert, Failed, Loading } from "../../ui/states.tsx";

export function Enrol2fa() {
  const [enrolment, setEnrolment] = useState<{ secret: string; otpauth_uri: string } | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [codes, setCodes] = useState<string[] | null>(null);

  useEffect(() => {
    enrolTotp().then(setEnrolment, setFailure);
  }, []);

  async function confirm(e: Event) {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      setCodes(await confirmTotp(code.trim()));
    } catch (err) {
      setFailure(err);
    } finally {
      setBusy(false);
    }
  }

  async function done() {
    const user = await me();
    if (user) signedIn(user);
  }

  return (
    <main class="sign-in">
      <div class="card enrol">
        <h1>Set up two-factor authentication</h1>
        {codes ? (
          <>
            <Alert kind="ok">Two-factor authentication is on.</Alert>
            <p>
              Keep these recovery codes somewhere safe. Each signs you in once if you lose your authenticator;
              they are not shown again.
            </p>
            <ul class="codes" aria-label="Recovery codes">
              {codes.map((c) => (
                <li key={c}>
                  <code>{c}</code>
                </li>
              ))}
            </ul>
            <div class="actions">
              <button type="button" class="primary" onClick={done}>
                I have saved them — continue
              </button>
            </div>
          </>
        ) : !enrolment ? (
          failure ? (
            <Failed error={failure} retry={() => location.reload()} />
          ) : (
            <Loading what="your secret" />
          )
        ) : (
          <form onSubmit={confirm}>
            <p>
              Your organization requires it. Scan this code with an authenticator app, then enter the code it
              shows.
            </p>
            <QrCode text={enrolment.otpauth_uri} label="QR code for your authenticator app" />
            <p class="hint">
              Cannot scan? Enter this secret by hand: <code class="secret">{enrolment.secret}</code>
            </p>
            <div class="field">
              <label for="enrol-code">Code from the app</label>
              <input
                id="enrol-code"
                inputMode="numeric"
                autocomplete="one-time-code"
                required
                value={code}
                onInput={(e) => setCode(e.currentTarget.value)}
              />
            </div>
            {failure instanceof ApiFailure && (
              <Alert>
                {failure.code === "VALIDATION_ERROR"
                  ? "That code does not match. Try the current one."
                  : describe(failure)}
              </Alert>
            )}
            <div class="actions">
              <button type="button" onClick={() => leave()}>
                Sign out
              </button>
              <button type="submit" class="primary" disabled={busy}>
                {busy ? "Checking…" : "Turn on"}
              </button>
            </div>
          </form>
        )}
      </div>
    </main>
  );
}
