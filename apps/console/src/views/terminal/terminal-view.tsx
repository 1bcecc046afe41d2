// A live session in the browser: the screen appears at once (the room's snapshot), then live; who is here
// and who may type; notices (a blocked command) inline; the round trip to the edge; search in the
// scrollback; the owner's window size followed by the session; reconnect after the socket drops.

import { useEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { endSession } from "../../api/index.ts";
import { Alert } from "../../ui/states.tsx";
import { connect, type SessionLink } from "./connect.ts";
import { isOver, type RoomEvent } from "./room-frames.ts";
import { type BrowserTerminal, createTerminal } from "./xterm.ts";
import "./terminal.css";

type Participant = Extract<RoomEvent, { t: "presence" }>["participants"][number];

const prefersDark = () =>
  document.documentElement.dataset.theme === "dark" ||
  (!document.documentElement.dataset.theme && matchMedia("(prefers-color-scheme: dark)").matches);

export function TerminalView({ id }: { id: string }) {
  const host = useRef<HTMLDivElement>(null);
  const terminal = useRef<BrowserTerminal | null>(null);
  const link = useRef<SessionLink | null>(null);
  const canTypeRef = useRef(false);
  const { route } = useLocation();
  const [attempt, setAttempt] = useState(0);
  const [status, setStatus] = useState("connecting");
  const [role, setRole] = useState("");
  const [canType, setCanType] = useState(false);
  const [people, setPeople] = useState<Participant[]>([]);
  const [notices, setNotices] = useState<string[]>([]);
  const [latency, setLatency] = useState<number | null>(null);
  const [dropped, setDropped] = useState<string | null>(null);
  const [needle, setNeedle] = useState("");

  useEffect(() => {
    if (!host.current) return;
    const t = createTerminal(host.current, prefersDark());
    terminal.current = t;
    const typing = t.term.onData((d) => {
      if (canTypeRef.current) link.current?.send(d);
    });
    return () => {
      typing.dispose();
      t.dispose();
    };
  }, []);

  useEffect(() => {
    const t = terminal.current;
    if (!t) return;
    let owner = false;
    setDropped(null);
    const followWindow = () => {
      if (!owner) return;
      t.fit.fit();
      link.current?.resize(t.term.cols, t.term.rows);
    };
    link.current = connect(id, {
      bytes: (data) => t.term.write(data),
      latency: setLatency,
      event: (e) => {
        if (e.t === "hello") {
          owner = e.role === "owner";
          canTypeRef.current = e.canType;
          setCanType(e.canType);
          setRole(e.role);
          setStatus(e.status);
        } else if (e.t === "snapshot") {
          t.term.reset();
          t.term.resize(e.cols, e.rows);
          t.term.write(e.data);
          followWindow();
        } else if (e.t === "resize" && !owner) t.term.resize(e.cols, e.rows);
        else if (e.t === "status") {
          setStatus(e.status);
          if (e.reason && isOver(e.status)) setNotices((n) => [...n, `Session ended: ${e.reason}`]);
        } else if (e.t === "presence") setPeople(e.participants);
        else if (e.t === "notice") setNotices((n) => [...n.slice(-4), e.message]);
        else if (e.t === "error") setNotices((n) => [...n.slice(-4), `${e.code}: ${e.message}`]);
      },
      closed: (code, reason) => {
        canTypeRef.current = false;
        setCanType(false);
        setDropped(reason || `the connection closed (${code})`);
      },
    });
    window.addEventListener("resize", followWindow);
    t.term.focus();
    return () => {
      window.removeEventListener("resize", followWindow);
      link.current?.close();
    };
  }, [id, attempt]);

  const over = isOver(status);
  return (
    <section class="terminal-page" aria-labelledby="terminal-title">
      <div class="heading">
        <h1 id="terminal-title">Live session</h1>
        <div class="session-facts">
          <span class={`badge status-${over ? "failed" : status}`}>{status}</span>
          <span>{role ? `You: ${role}` : ""}</span>
          <span>{canType ? "You can type" : "Read-only"}</span>
          {latency !== null && <span title="Round trip to the edge">Edge {latency} ms</span>}
        </div>
      </div>
      {people.length > 0 && (
        <p class="muted">
          Here: {people.map((p) => `${p.name} (${p.role}${p.canType ? ", typing" : ""})`).join(", ")}
        </p>
      )}
      <div class="toolbar">
        <label for="term-search" class="sr-only">
          Search the terminal
        </label>
        <input
          id="term-search"
          type="search"
          placeholder="Search the scrollback"
          value={needle}
          onInput={(e) => setNeedle(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") terminal.current?.search.findNext(needle);
          }}
        />
        {role === "owner" && !over && (
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
      <div aria-live="polite">
        {notices.map((n, i) => (
          <Alert key={`${i}-${n}`} kind="info">
            {n}
          </Alert>
        ))}
      </div>
      {dropped && !over && (
        <Alert>
          Disconnected: {dropped}.{" "}
          <button type="button" onClick={() => setAttempt((a) => a + 1)}>
            Reconnect
          </button>
        </Alert>
      )}
      <div class="term-host" ref={host} role="application" aria-label="Terminal" />
    </section>
  );
}
