// A remote desktop (an RDP session) in the browser: IronRDP's web client, loaded with this view's lazy
// chunk, draws the server's screen and sends keyboard and mouse; the session is the owner's alone. Shows
// the connection's progress, why it ended, whether the clipboard is shared (the connection's policy),
// Ctrl+Alt+Del, and ends the session. A colleague who may watch opens it with `?watch` (Live sessions'
// "Watch"): the owner's picture, read-only (rdp-watch.ts).
import { useEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { endSession, rdpSocketUrl, sessionClipboard, sessionSocketUrl } from "../../api/index.ts";
import { Alert } from "../../ui/states.tsx";
import type { RdpClient } from "./rdp-client.ts";
import "./desktop.css";

type State =
  | { s: "connecting" }
  | { s: "connected"; width: number; height: number }
  | { s: "over"; why: string; failed: boolean };

export function DesktopView({ id }: { id: string }) {
  const host = useRef<HTMLDivElement>(null);
  const client = useRef<RdpClient | null>(null);
  const [state, setState] = useState<State>({ s: "connecting" });
  const [clipboard, setClipboard] = useState<boolean | null>(null);
  const { route, query } = useLocation();
  const watching = query.watch !== undefined;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    let cancelled = false;
    const handlers = {
      connected: (size: { width: number; height: number }) =>
        !cancelled && setState({ s: "connected", ...size }),
      resized: (size: { width: number; height: number }) =>
        !cancelled && setState((was) => (was.s === "connected" ? { s: "connected", ...size } : was)),
      ended: (why: string) => !cancelled && setState({ s: "over", why, failed: false }),
      failed: (why: string) => !cancelled && setState({ s: "over", why, failed: true }),
    };
    // The connection's clipboard policy first: the client's channel list is fixed when it connects.
    void (
      watching
        ? import("./rdp-watch.ts").then(({ watchRdp }) => watchRdp(el, sessionSocketUrl(id), handlers))
        : Promise.all([import("./rdp-client.ts"), sessionClipboard(id).catch(() => null)]).then(
            ([{ mountRdp }, allowed]) => {
              if (!cancelled) setClipboard(allowed === true);
              return mountRdp(el, rdpSocketUrl(id), allowed === true, handlers);
            },
          )
    )
      .then((c) => {
        if (cancelled) c.close();
        else client.current = c;
      })
      .catch((err: unknown) => !cancelled && setState({ s: "over", why: String(err), failed: true }));
    return () => {
      cancelled = true;
      client.current?.close();
      client.current = null;
    };
  }, [id, watching]);

  const live = state.s !== "over";
  return (
    <section class="desktop-page" aria-labelledby="desktop-title">
      <div class="heading">
        <h1 id="desktop-title">Remote desktop</h1>
        <div class="session-facts">
          <span class={`badge status-${state.s === "over" ? "failed" : "active"}`}>
            {state.s === "connecting" ? "connecting" : state.s === "connected" ? "connected" : "ended"}
          </span>
          {state.s === "connected" && (
            <span>
              {state.width}×{state.height}
            </span>
          )}
          {clipboard !== null && (
            <span class="desktop-clipboard">
              {clipboard ? "Clipboard shared" : "Clipboard off by the connection's policy"}
            </span>
          )}
        </div>
      </div>
      <div class="toolbar">
        {watching && <span class="desktop-watching">Watching: read-only</span>}
        {state.s === "connected" && !watching && (
          <button type="button" onClick={() => client.current?.ctrlAltDel()}>
            Ctrl+Alt+Del
          </button>
        )}
        {live && !watching && (
          <button
            type="button"
            class="danger"
            onClick={async () => {
              // The client first: IronRDP's shutdown writes on its socket, which the end closes (Chromium
              // then logs "WebSocket is already in CLOSING or CLOSED state").
              client.current?.close();
              client.current = null;
              await endSession(id);
              route("/connections");
            }}
          >
            End session
          </button>
        )}
      </div>
      {state.s === "connecting" && <Alert kind="info">Connecting to the remote desktop…</Alert>}
      {state.s === "over" && <Alert kind={state.failed ? "error" : "info"}>Session ended: {state.why}</Alert>}
      <div class="desktop-host" ref={host} />
    </section>
  );
}
