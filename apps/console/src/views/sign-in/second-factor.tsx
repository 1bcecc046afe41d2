// The sign-in's second step: the 6-digit code of the authenticator app, or one of the recovery codes.
import { useEffect, useRef } from "preact/hooks";

export function SecondFactor(props: {
  mode: "totp" | "recovery";
  code: string;
  onCode: (code: string) => void;
  onSwitch: () => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), [props.mode]);
  const totp = props.mode === "totp";
  return (
    <>
      <div class="field">
        <label for="code">{totp ? "Authentication code" : "Recovery code"}</label>
        <input
          ref={input}
          id="code"
          name={totp ? "totp" : "recovery-code"}
          required
          value={props.code}
          onInput={(e) => props.onCode(e.currentTarget.value)}
          autocomplete="one-time-code"
          inputMode={totp ? "numeric" : "text"}
          aria-describedby="code-hint"
        />
        <small id="code-hint" class="hint">
          {totp
            ? "Two-factor authentication is on: enter the 6-digit code from your authenticator app."
            : "Enter one of the recovery codes you saved when you turned on two-factor authentication. Each works once."}
        </small>
      </div>
      <button type="button" class="link" onClick={props.onSwitch}>
        {totp ? "Use a recovery code instead" : "Use the authenticator app instead"}
      </button>
    </>
  );
}
