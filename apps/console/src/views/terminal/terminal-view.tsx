// A live session in the browser: the screen appears at once (the room's snapshot), then live; who is here
// and who may type, with typing handed over and taken back by the owner; invitations; commands held for
// approval, decided from any approver's browser; blocked-command notices inline, apart from the remote
// output; the round trip to the edge; search in the scrollback; the owner's window size followed by the
// session; and, when the socket drops, reconnection by itself (reconnect.ts) with the snapshot repainting.

import { useEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { endSession, sessionStatus } from "../../api/index.ts";
import { can } from "../../shell/nav.ts";
import { currentUser } from "../../state/session.ts";
import { Alert } from "../../ui/states.tsx";
import { Approvals, type Held } from "./approvals.tsx";
import { connect, type SessionLink } from "./connect.ts";
import { Invite } from "./invite.tsx";
import { People } from "./people.tsx";
import { RETRIES, retryDelay, shouldRetry } from "./reconnect.ts";
import { isOver, type Participant, type RoomEvent } from "./room-frames.ts";
import { type BrowserTerminal, createTerminal } from "./xterm.ts";
import "./terminal.css";

type Hello = Extract<RoomEvent, { t: "hello" }>;
interface Notice {
  kind: "error" | "info" | "ok";
  text: string;
  detail?: string | null;
}
/** The socket: live, trying again (the attempt number), or given up on (why). */
type LinkState = { s: "live" } | { s: "retrying"; attempt: number } | { s: "dropped"; why: string };

const prefersDark = () =>
  document.documentElement.dataset.theme === "dark" ||
  (!document.documentElement.dataset.theme && matchMedia("(prefers-color-scheme: dark)").matches);

function noticeOf(e: RoomEvent): Notice | null {
  if (e.t === "notice" && e.code === "COMMAND_BLOCKED")
    return { kind: "error", text: e.message, detail: e.reason && `Reason: ${e.reason}` };
  if (e.t === "notice") return { kind: e.level === "error" ? "error" : "info", text: e.message };
  if (e.t === "error") return { kind: "error", text: `${e.code}: ${e.message}` };
  if (e.t === "status" && e.reason && isOver(e.status))
    return { kind: "info", text: `Session ended: ${e.reason}` };
  return null;
}

export function TerminalView({ id }: { id: string }) {
  const host = useRef<HTMLDivElement>(null);
  const terminal = useRef<BrowserTerminal | null>(null);
  const link = useRef<SessionLink | null>(null);
  const canTypeRef = useRef(false);
  const failures = useRef(0);
  const overRef = useRef(false);
  const { route } = useLocation();
  const [attempt, setAttempt] = useState(0);
  const [status, setStatus] = useState("connecting");
  const [you, setYou] = useState<Hello | null>(null);
  const [canType, setCanType] = useState(false);
  const [people, setPeople] = useState<Participant[]>([]);
  const [notices, setNotices] = useState<Notice[]>([]);
  const [held, setHeld] = useState<Held[]>([]);
  const [latency, setLatency] = useState<number | null>(null);
  const [linkState, setLinkState] = useState<LinkState>({ s: "live" });
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
    let me = "";
    /** Commands held for approval, as this connection was told (the room replays them on joining). */
    let waiting: Held[] = [];
    let retry: ReturnType<typeof setTimeout> | undefined;
    let cancelled = false;
    const note = (n: Notice) => setNotices((all) => [...all.slice(-5), n]);
    const mayType = (v: boolean) => {
      canTypeRef.current = v;
      setCanType(v);
    };
    const followWindow = () => {
      if (!owner) return;
      t.fit.fit();
      link.current?.resize(t.term.cols, t.term.rows);
    };
    /** After a drop: wait, ask the API whether the session is still live, and only then open a socket again.
     * A status that cannot be read (still offline) is a failed try of its own — no socket is opened that
     * would only be refused (a 409 for an ended session). Ended while away, or the login gone (a 401 signs
     * the page out): no socket to go back to. */
    const retryOrDrop = (code: number, reason: string) => {
      if (!shouldRetry(code, failures.current, overRef.current)) {
        setLinkState({ s: "dropped", why: reason || `the connection closed (${code})` });
        return;
      }
      failures.current += 1;
      setLinkState({ s: "retrying", attempt: failures.current });
      retry = setTimeout(async () => {
        const now = await sessionStatus(id).catch(() => null);
        if (cancelled) return;
        if (now === null) retryOrDrop(code, reason);
        else if (isOver(now)) {
          overRef.current = true;
          setStatus(now);
          note({ kind: "info", text: "The session ended while you were disconnected" });
        } else setAttempt((a) => a + 1);
      }, retryDelay(failures.current));
    };
    link.current = connect(id, {
      bytes: (data) => t.term.write(data),
      latency: setLatency,
      event: (e) => {
        if (e.t === "hello") {
          owner = e.role === "owner";
          me = e.userId;
          failures.current = 0;
          setLinkState({ s: "live" });
          mayType(e.canType);
          setYou(e);
          setStatus(e.status);
          waiting = [];
          setHeld(waiting);
        } else if (e.t === "snapshot") {
          t.term.reset();
          t.term.resize(e.cols, e.rows);
          t.term.write(e.data);
          followWindow();
        } else if (e.t === "resize" && !owner) t.term.resize(e.cols, e.rows);
        else if (e.t === "status") {
          overRef.current = isOver(e.status);
          setStatus(e.status);
        } else if (e.t === "presence") {
          setPeople(e.participants);
          const mine = e.participants.find((p) => p.userId === me);
          if (mine) mayType(mine.canType);
        } else if (e.t === "approval") {
          waiting = [...waiting.filter((a) => a.commandId !== e.commandId), e];
          setHeld(waiting);
        } else if (e.t === "approval-result") {
          const a = waiting.find((x) => x.commandId === e.commandId);
          const by = e.by ? `${e.approved ? "Approved" : "Denied"} by ${e.by}` : "Not approved in time";
          if (a) note({ kind: e.approved ? "ok" : "error", text: `${by}: ${a.command}` });
          waiting = waiting.filter((x) => x.commandId !== e.commandId);
          setHeld(waiting);
        }
        const n = noticeOf(e);
        if (n) note(n);
      },
      closed: (code, reason) => {
        mayType(false);
        retryOrDrop(code, reason);
      },
    });
    window.addEventListener("resize", followWindow);
    t.term.focus();
    return () => {
      cancelled = true;
      clearTimeout(retry);
      window.removeEventListener("resize", followWindow);
      link.current?.close();
    };
  }, [id, attempt]);

  const over = isOver(status);
  const role = you?.role ?? "";
  const manage = !over && (role === "owner" || you?.canShare === true);
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
      <People
        people={people}
        me={you?.userId ?? ""}
        manage={manage}
        setTyping={(userId, v) => link.current?.setTyping(userId, v)}
      />
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
        {manage && can(currentUser.value, "user:read") && <Invite sessionId={id} me={you?.userId ?? ""} />}
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
      <Approvals
        held={held}
        me={you?.userId ?? ""}
        canApprove={you?.canApprove === true}
        decide={(commandId, approve) => link.current?.approve(commandId, approve)}
      />
      <div aria-live="polite" class="notices">
        {notices.map((n, i) => (
          <Alert key={`${i}-${n.text}`} kind={n.kind}>
            {n.text}
            {n.detail && <small class="notice-detail">{n.detail}</small>}
          </Alert>
        ))}
      </div>
      {linkState.s === "retrying" && !over && (
        <Alert kind="info">
          Reconnecting… (attempt {linkState.attempt} of {RETRIES})
        </Alert>
      )}
      {linkState.s === "dropped" && !over && (
        <Alert>
          Disconnected: {linkState.why}.{" "}
          <button
            type="button"
            onClick={() => {
              failures.current = 0;
              setAttempt((a) => a + 1);
            }}
          >
            Reconnect
          </button>
        </Alert>
      )}
      <div class="term-host" ref={host} role="application" aria-label="Terminal" />
    </section>
  );
}
