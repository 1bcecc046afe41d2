// The remote desktop's clipboard beside its screen. A browser cannot read the page's system clipboard
// without a prompt, so the text crosses through this panel: what the desktop copies shows here (noVNC's
// `clipboard` event), and text typed or pasted here is sent to the desktop's clipboard. On a connection
// tagged `clipboard:off` the room drops clipboard text both ways; the panel says so instead. Someone who
// may not type (a viewer) is not offered the sending half (the room would drop it anyway).
import { useState } from "preact/hooks";

export function ClipboardPanel({
  allowed,
  remote,
  send,
  mayType,
}: {
  /** null: unknown (the caller may not read the connection); the room enforces either way. */
  allowed: boolean | null;
  remote: string;
  send: ((text: string) => void) | null;
  /** false: the user may not type into the session (null: not known; the room decides). */
  mayType: boolean | null;
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
      {mayType === false ? (
        <p class="muted" role="note" data-testid="vnc-clipboard-watching">
          Watching: only who may type sends text to the desktop's clipboard.
        </p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            send?.(text);
          }}
        >
          <label>
            To the desktop
            <textarea rows={2} value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </label>
          <button type="submit" class="small" disabled={!send}>
            Send to the desktop's clipboard
          </button>
        </form>
      )}
    </details>
  );
}
