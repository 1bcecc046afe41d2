// The remote desktop's clipboard beside its screen. A browser cannot read the page's system clipboard
// without a prompt, so the text crosses through this panel: what the desktop copies shows here (noVNC's
// `clipboard` event), and text typed or pasted here is sent to the desktop's clipboard. On a connection
// tagged `clipboard:off` the room drops clipboard text both ways; the panel says so instead.
import { useState } from "preact/hooks";

export function ClipboardPanel({
  allowed,
  remote,
  send,
}: {
  /** null: unknown (the caller may not read the connection); the room enforces either way. */
  allowed: boolean | null;
  remote: string;
  /** null: nothing to send to (not connected yet, or the caller may not type) — no form then. */
  send: ((text: string) => void) | null;
}) {
  const [text, setText] = useState("");
  if (allowed === false)
    return (
      <p class="muted" role="note" data-testid="vnc-clipboard-off">
        Clipboard disabled by policy: text copied on either side does not cross this session.
      </p>
    );
  return (
    <details class="vnc-clipboard">
      <summary>Clipboard</summary>
      <label>
        From the desktop
        <textarea readOnly rows={2} value={remote} data-testid="vnc-clipboard-remote" />
      </label>
      {send && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            send(text);
          }}
        >
          <label>
            To the desktop
            <textarea rows={2} value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </label>
          <button type="submit" class="small">
            Send to the desktop's clipboard
          </button>
        </form>
      )}
    </details>
  );
}
