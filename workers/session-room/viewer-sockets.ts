// A viewer's end of its WebSocket: when it is accepted, and sending and closing that never throw.
//
// Why the accept waits one turn: workerd wires the 101 response's end to the client connection by pumping
// through kj WebSocket pipes. If the room's end is already accepted (its read loop waiting for a first
// message) at that moment, kj hands the *first* client message over through a path that keeps pumping
// after a Close (`BlockedReceive::tryPumpFrom` in kj/compat/http.c++). A viewer whose first message is
// its Close (it joined, watched, left) then leaves a pump waiting on the room's end; when the runtime
// releases that end after the close handshake, the pump fails with "other end of WebSocketPipe was
// destroyed", which the room's request reports as `Uncaught Error: Network connection lost.` — once per
// cleanly closing viewer. Accepted once the response has been handed over (a timer callback runs after the
// promise continuations that wire it), the end is read through the pump that stops at the Close: nothing
// fails. Under `wrangler dev` the Worker that forwarded the upgrade wires the last hop; it does so in the
// same turn only while no middleware awaits I/O after the route returns (none does) — otherwise the error
// line comes back, and test/e2e/live-session.test.ts ("logs no uncaught error…") says so. The hibernation
// API hides the failure, but a hibernatable socket the room closes first is released only when the object
// hibernates (~10 s), so the client saw its close that much later; see docs/reliability.md. Messages the
// client sends before the accept wait in the pipe; nothing is lost.

export interface ViewerSocketEvents {
  /** Accepted: send the first frames (hello, snapshot). Not called when a close was asked for before. */
  opened(): void | Promise<void>;
  /** A frame from the client, delivered only after `opened` has finished, in order. */
  message(data: string | ArrayBuffer): void;
  /** Closed by either side, dropped, or failed: called once. */
  closed(): void;
}

export class ViewerSocket {
  #state: "new" | "pending" | "open" | "closed" = "new";
  #closeWith: { code: number; reason: string } | null = null;

  constructor(private readonly ws: WebSocket) {}

  /** Call before returning the 101 response with the other end; accepts after the response is wired. */
  open(events: ViewerSocketEvents): void {
    if (this.#state !== "new") return;
    this.#state = "pending";
    setTimeout(() => void this.#accept(events), 0);
  }

  async #accept(events: ViewerSocketEvents): Promise<void> {
    const ws = this.ws;
    ws.binaryType = "arraybuffer";
    ws.accept();
    const closed = () => {
      if (this.#state === "closed") return;
      this.#state = "closed";
      events.closed();
    };
    ws.addEventListener("close", closed);
    // After a close the runtime may still report the end of its pump as an error: same cleanup.
    ws.addEventListener("error", closed);
    // Frames the client sent before the accept arrive at once: held until the first frames are out.
    let early: (string | ArrayBuffer)[] | null = [];
    ws.addEventListener("message", (ev) => {
      if (early) early.push(ev.data);
      else events.message(ev.data);
    });
    const asked = this.#closeWith;
    if (asked) {
      this.#state = "open";
      this.close(asked.code, asked.reason);
      return;
    }
    this.#state = "open";
    await events.opened();
    const held = early;
    early = null;
    for (const data of held) if (this.#state === "open") events.message(data);
  }

  /** Sent when open; dropped before the accept (the snapshot covers it) and after a close. */
  send(data: string | ArrayBuffer | ArrayBufferView): void {
    if (this.#state !== "open") return;
    try {
      this.ws.send(data);
    } catch {
      // closing: the close handler cleans up
    }
  }

  /** Closes now, or right after the accept when asked before it. */
  close(code: number, reason: string): void {
    if (this.#state === "new" || this.#state === "pending") {
      this.#closeWith ??= { code, reason };
      return;
    }
    if (this.#state === "closed") return;
    try {
      this.ws.close(code, reason);
    } catch {
      // already closed
    }
  }
}
