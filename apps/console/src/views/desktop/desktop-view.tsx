// A remote desktop (an RDP session) in the browser: IronRDP's web client, loaded with this view's lazy
// chunk, draws the server's screen and sends keyboard and mouse; the session is the owner's alone. Shows
// the connection's progress, why it ended, Ctrl+Alt+Del, and ends the session.
import { useEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { endSession, rdpSocketUrl } from "../../api/index.ts";
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
  const { route } = useLocation();

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    let cancelled = false;
    void import("./rdp-client.ts")
      .then(({ mountRdp }) =>
        mountRdp(el, rdpSocketUrl(id), {
          connected: (size) => !cancelled && setState({ s: "connected", ...size }),
          resized: (size) =>
            !cancelled && setState((was) => (was.s === "connected" ? { s: "connected", ...size } : was)),
          ended: (why) => !cancelled && setState({ s: "over", why, failed: false }),
          failed: (why) => !cancelled && setState({ s: "over", why, failed: true }),
        }),
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
  }, [id]);

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
        </div>
      </div>
      <div class="toolbar">
        {state.s === "connected" && (
          <button type="button" onClick={() => client.current?.ctrlAltDel()}>
            Ctrl+Alt+Del
          </button>
        )}
        {live && (
          <button
            type="button"
            class="danger"
            onClick={async () => {
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
