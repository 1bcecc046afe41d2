// Whether clipboard text may cross a graphical session (VNC today; RDP's clipboard follows the same rule):
// a connection tagged `clipboard:off` forbids it both ways — from the browser to the desktop and from the
// desktop's clipboard to every browser. The decision is made once, when the session starts, and handed to
// the session room, which enforces it on the wire (workers/session-room/rfb-client.ts, rfb-server.ts).
// A tag rather than a column: no migration, set from the console's connection form or the API's `tags`.

export const CLIPBOARD_OFF_TAG = "clipboard:off";

export function clipboardAllowed(connection: { tags: readonly string[] }): boolean {
  return !connection.tags.includes(CLIPBOARD_OFF_TAG);
}
