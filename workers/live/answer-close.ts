// Answering a peer's WebSocket close frame on the edge's Durable Objects.
// Why: a hibernatable socket (AgentLink's, `webSocketClose`) gets no automatic answer: until the object
// calls `close()` the peer waits for one (the agent's SIGTERM stop waited its full 2 s timeout). The
// answer echoes the peer's code when RFC 6455 allows sending it, and a socket already closed (the object
// closed it first, or the runtime answered) is left alone: `close()` on it throws.

/** Close codes a peer may report but an endpoint must never send (RFC 6455 §7.4.1). */
const NOT_SENDABLE = new Set([1005, 1006, 1015]);

/** Whether a received close code may be echoed in the answer (otherwise the answer carries no code). */
export function echoable(code: number): boolean {
  return code >= 1000 && code <= 4999 && !NOT_SENDABLE.has(code);
}

/** The subset of a WebSocket this needs (a unit test passes a recorder). */
export interface Closable {
  close(code?: number, reason?: string): void;
}

/** Answers the peer's close frame; never throws. */
export function answerClose(ws: Closable, code: number, reason: string): void {
  try {
    if (echoable(code)) ws.close(code, reason);
    else ws.close();
  } catch {
    // already closed
  }
}
