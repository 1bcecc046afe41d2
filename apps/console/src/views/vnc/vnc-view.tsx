// A VNC session in the browser: noVNC draws the remote desktop from the RFB stream the session room relays
// over this page's WebSocket (the room plays the server's handshake with security type None; the VNC
// password stays with the agent). Keyboard and mouse go to the server only from someone who may type —
// the room drops everyone else's input by RFB message type, so "view only" here is a courtesy, not the
// control (noVNC still sends theirs, and the room's drop is what the browser test checks). Ending the
// session is the owner's (the API refuses others; others get Leave), and who may not type is told they
// watch. Clipboard text crosses through the clipboard panel, unless the connection's policy turns it off
// (the room drops it both ways).

import { useEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { endSession, mayTypeIn, ownsSession, sessionClipboard, sessionSocketUrl } from "../../api/index.ts";
import { currentUser } from "../../state/session.ts";
import { Alert } from "../../ui/states.tsx";
import { ClipboardPanel } from "./clipboard-panel.tsx";
import { loadRfb, type RfbObject } from "./novnc.ts";
import "./vnc.css";

type State = { s: "connecting" } | { s: "connected"; name: string } | { s: "over"; why: string };

export function VncView({ id }: { id: string }) {
  const screen = useRef<HTMLDivElement>(null);
  const { route } = useLocation();
  const [state, setState] = useState<State>({ s: "connecting" });
  const [clipboard, setClipboard] = useState<boolean | null>(null);
  const [remoteText, setRemoteText] = useState("");
  const [desktop, setDesktop] = useState<RfbObject | null>(null);

  const [mayType, setMayType] = useState<boolean | null>(null);
  const [owner, setOwner] = useState<boolean | null>(null);

  useEffect(() => {
    sessionClipboard(id).then(setClipboard, () => setClipboard(null));
    const me = currentUser.value?.id;
    if (me) ownsSession(id, me).then(setOwner, () => setOwner(null));
  }, [id]);

  // Who may type changes when the owner hands control over: read again every few seconds while connected.
  const connected = state.s === "connected";
  useEffect(() => {
    const me = currentUser.value?.id;
    if (!connected || !me) return;
    const read = () => mayTypeIn(id, me).then(setMayType, () => setMayType(null));
    void read();
    const timer = setInterval(read, 5_000);
    return () => clearInterval(timer);
  }, [id, connected]);

  useEffect(() => {
    let gone = false;
    let stop = () => {};
    loadRfb()
      .then((RFB) => {
        if (gone || !screen.current) return;
        // Created only now, with noVNC ready to take its first message (the room greets at once).
        const ws = new WebSocket(sessionSocketUrl(id));
        ws.binaryType = "arraybuffer";
        let name = "";
        let closing = "";
        // Before noVNC's own handler, which reports the disconnect: the room's reason is known by then.
        ws.addEventListener("close", (e) => {
          closing = e.reason;
        });
        const rfb = new RFB(screen.current, ws, { shared: true });
        rfb.scaleViewport = true;
        rfb.addEventListener("clipboard", (e) => {
          setRemoteText((e as CustomEvent<{ text: string }>).detail.text);
        });
        rfb.addEventListener("desktopname", (e) => {
          name = (e as CustomEvent<{ name: string }>).detail.name;
          setState((s) => (s.s === "connected" ? { s: "connected", name } : s));
        });
        rfb.addEventListener("connect", () => {
          setState({ s: "connected", name });
          setDesktop(rfb);
          rfb.focus();
        });
        rfb.addEventListener("securityfailure", (e) => {
          const why = (e as CustomEvent<{ reason?: string }>).detail.reason;
          setState({ s: "over", why: why || "The VNC server refused the connection" });
        });
        let connected = true;
        rfb.addEventListener("disconnect", () => {
          connected = false;
          setDesktop(null);
          if (!gone) setState((s) => (s.s === "over" ? s : { s: "over", why: closing || "Disconnected" }));
        });
        // noVNC reports an error when told to disconnect twice.
        stop = () => {
          if (connected) rfb.disconnect();
        };
      })
      .catch((err: unknown) => setState({ s: "over", why: `The viewer could not load: ${String(err)}` }));
    return () => {
      gone = true;
      stop();
    };
  }, [id]);

  const end = async () => {
    await endSession(id).catch(() => {});
    route("/connections");
  };

  return (
    <section class="vnc-view" aria-label="Remote desktop">
      <div class="vnc-bar">
        <h1 class="grow">{state.s === "connected" && state.name ? state.name : "Remote desktop"}</h1>
        <output>
          {state.s === "connecting" ? "Connecting…" : state.s === "connected" ? "Connected" : "Ended"}
        </output>
        {owner === false ? (
          <button type="button" class="button" onClick={() => route("/live")}>
            Leave
          </button>
        ) : (
          <button type="button" class="button danger" onClick={end}>
            End session
          </button>
        )}
      </div>
      {state.s === "over" && <Alert kind="info">Session ended: {state.why}</Alert>}
      {mayType === false && (
        <p class="muted" role="note" data-testid="vnc-watching">
          You are watching: your keyboard and mouse do not reach this desktop.
        </p>
      )}
      <ClipboardPanel
        allowed={clipboard}
        remote={remoteText}
        send={desktop ? (text) => desktop.clipboardPasteFrom(text) : null}
        mayType={mayType}
      />
      <div class="vnc-screen" ref={screen} data-testid="vnc-screen" />
    </section>
  );
}
