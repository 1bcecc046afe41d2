// Attaches the local terminal to a live session's viewer socket: the screen (snapshot, then live bytes) to
// stdout; keystrokes (raw mode, only on a TTY) to the room; window size on SIGWINCH; Nostromo's own notices
// (blocked commands, approvals, status) on stderr, set apart from the remote output. "~." disconnects;
// Ctrl-C goes to the remote shell. A dropped socket is reopened within the grace window and the screen
// comes back from the room's snapshot. The terminal is restored on every way out (end, error, signal).
import type { RoomFrame } from "@nostromo/protocol";
import WebSocket from "ws";
import { headersFor, type Target } from "./api.ts";
import { ESCAPE_HELP, EscapeReader } from "./escape.ts";

export interface AttachOptions {
  target: Target;
  sessionId: string;
  /** What the session is called on screen (public id). */
  label: string;
  /** false: watch only, keystrokes are not sent (join without --type). */
  typing: boolean;
  /** How long to keep trying to reopen a dropped socket. */
  graceMs?: number;
}

export interface AttachResult {
  /** How it ended: the remote shell exited, the user pressed ~., the session was ended or killed, lost. */
  reason: "exit" | "escape" | "ended" | "killed" | "lost";
  exitCode: number | null;
  message: string;
}

const NOTICE = (text: string) => `\r\n\x1b[1;7m nostromo \x1b[0m ${text}\r\n`;

/** Exit status from a status frame (the room sends `exitCode` when the remote shell exited). */
export function exitCodeOf(f: Extract<RoomFrame, { t: "status" }>): number | null {
  return f.exitCode ?? null;
}

export function wsUrl(target: Target, sessionId: string): string {
  return `${target.url.replace(/^http/, "ws").replace(/\/$/, "")}/api/remote-sessions/${sessionId}/ws`;
}

export async function attach(o: AttachOptions): Promise<AttachResult> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  const tty = Boolean(stdin.isTTY);
  const escapes = new EscapeReader();
  const graceMs = o.graceMs ?? 60_000;
  let ws: WebSocket | null = null;
  let finished: ((r: AttachResult) => void) | null = null;
  let lostSince: number | null = null;

  const note = (text: string) => process.stderr.write(NOTICE(text));
  const size = () => ({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
  const sendJson = (f: unknown) => {
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(f));
  };
  const restore = () => {
    if (tty && stdin.isRaw) stdin.setRawMode(false);
    stdin.pause();
  };
  const finish = (r: AttachResult) => {
    const f = finished;
    finished = null;
    f?.(r);
  };

  const onKeys = (chunk: Buffer) => {
    const { send, actions } = escapes.feed(chunk);
    if (send.length > 0 && o.typing && ws?.readyState === WebSocket.OPEN) ws.send(send);
    for (const a of actions) {
      if (a === "help") process.stderr.write(ESCAPE_HELP);
      if (a === "disconnect") finish({ reason: "escape", exitCode: null, message: "Disconnected (~.)" });
    }
  };
  const onResize = () => sendJson({ t: "resize", ...size() });
  const onSignal = (sig: NodeJS.Signals) =>
    finish({ reason: "lost", exitCode: null, message: `Interrupted by ${sig}` });

  const onFrame = (f: RoomFrame) => {
    switch (f.t) {
      case "hello":
        onResize();
        break;
      case "snapshot":
        stdout.write("\x1b[H\x1b[2J");
        stdout.write(f.data);
        break;
      case "notice":
        note(f.message);
        break;
      case "error":
        note(`${f.code}: ${f.message}`);
        break;
      case "approval":
        note(
          `approval needed: "${f.command}" typed by ${f.typist.name} — ` +
            `nostromo approve ${o.sessionId} ${f.commandId} (or deny)`,
        );
        break;
      case "approval-result":
        note(`command ${f.approved ? "approved" : "denied"}${f.by ? ` by ${f.by}` : ""}`);
        break;
      case "status":
        if (f.status === "ended" || f.status === "error") {
          const code = exitCodeOf(f);
          finish({
            reason: code === null ? "ended" : "exit",
            exitCode: code,
            message: f.reason ?? `Session ${f.status}`,
          });
        } else if (f.status === "disconnected") note("the agent's link dropped; waiting for it to come back");
        break;
    }
  };

  const open = () =>
    new Promise<void>((resolve, reject) => {
      const sock = new WebSocket(wsUrl(o.target, o.sessionId), { headers: headersFor(o.target) });
      sock.binaryType = "nodebuffer";
      sock.once("open", () => {
        ws = sock;
        lostSince = null;
        resolve();
      });
      sock.once("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (d: Buffer) => {
          body += d.toString();
        });
        res.on("end", () => {
          let msg = `upgrade refused (${res.statusCode})`;
          try {
            const e = (JSON.parse(body) as { error?: { code: string; message: string } }).error;
            if (e) msg = `${e.code}: ${e.message}`;
          } catch {
            // not JSON
          }
          reject(Object.assign(new Error(msg), { fatal: (res.statusCode ?? 500) < 500 }));
        });
      });
      sock.once("error", (err) => reject(err));
      sock.on("message", (data, isBinary) => {
        if (isBinary) stdout.write(data as Buffer);
        else {
          try {
            onFrame(JSON.parse(String(data)) as RoomFrame);
          } catch {
            // a frame this version does not understand: ignored
          }
        }
      });
      sock.on("close", (code, reason) => {
        if (ws !== sock || finished === null) return;
        ws = null;
        const why = String(reason);
        if (code === 4001)
          return finish({ reason: "killed", exitCode: null, message: why || "Your login was ended" });
        if (code >= 4000 || code === 1000)
          return finish({ reason: "ended", exitCode: null, message: why || "Session closed" });
        void reconnect();
      });
    });

  const reconnect = async () => {
    lostSince ??= Date.now();
    note("connection lost; reconnecting…");
    let wait = 250;
    while (finished !== null && Date.now() - lostSince < graceMs) {
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 4_000);
      try {
        await open();
        note("reconnected");
        return;
      } catch (err) {
        if ((err as { fatal?: boolean }).fatal) {
          return finish({ reason: "ended", exitCode: null, message: (err as Error).message });
        }
      }
    }
    finish({ reason: "lost", exitCode: null, message: "Connection lost" });
  };

  const done = new Promise<AttachResult>((resolve) => {
    finished = resolve;
  });
  try {
    await open();
  } catch (err) {
    finished = null;
    return { reason: "lost", exitCode: null, message: (err as Error).message };
  }
  if (tty) stdin.setRawMode(true);
  stdin.on("data", onKeys);
  stdin.resume();
  process.stdout.on("resize", onResize);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
  process.on("exit", restore);
  try {
    return await done;
  } finally {
    stdin.off("data", onKeys);
    process.stdout.off("resize", onResize);
    process.off("SIGTERM", onSignal);
    process.off("SIGHUP", onSignal);
    restore();
    const sock = ws as WebSocket | null;
    ws = null;
    sock?.close(1000, "client left");
  }
}
