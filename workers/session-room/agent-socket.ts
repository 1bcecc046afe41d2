// The room's side of the agent's data socket: who may speak for the session, what a frame may be, and
// the durable output tail. Kept out of session-room.ts so the room reads as a table of contents.
// - Only the session's own agent acts on it: control-link events are accepted from the agent the room
//   was opened with (and its tenant) only, and the data socket only with the data token the room issued
//   for this session — which the edge hands to that agent alone, over its authenticated control link.
// - Binary frames are bounded (MAX_DATA_FRAME_BYTES): a bigger one closes the socket with 1009 and is
//   audited; the agent may re-dial (the session waits for it as for any dropped socket).
// - Text frames are zod-validated, of a bounded size; unknown types are ignored (protocol evolution);
//   malformed ones are counted and past MAX_GARBAGE the socket is closed (1008). Nothing here throws.
import type { AgentFrame } from "../protocol/agent.ts";
import {
  AGENT_DATA_FRAME_TYPES,
  type AgentDataFrame,
  FRAME_TOO_BIG_CLOSE_CODE,
  MAX_DATA_FRAME_BYTES,
  parseAgentDataFrame,
} from "../protocol/agent-data.ts";
import { unknownFrameType } from "../protocol/evolution.ts";

export const MAX_GARBAGE = 50;
/** Durable output kept to rebuild the screen after a restart. */
export const TAIL_BYTES = 256 * 1024;
/** Largest row written to the object's SQLite (its limit is 2 MB a row; a batch may be bigger). */
export const TAIL_ROW_BYTES = 64 * 1024;

export interface AgentIdentityClaim {
  agentId: string;
  tenantId: string;
}

/** Whether a control-link event may act on this session: from the edge itself (no claim), or from the
 * session's own agent of the session's own tenant. */
export function agentMayAct(
  session: { agentId: string; tenantId: string },
  from: AgentIdentityClaim | undefined,
): boolean {
  if (!from) return true;
  return from.agentId === session.agentId && from.tenantId === session.tenantId;
}

export type SessionAgentEvent = Extract<
  AgentFrame,
  { t: "session.opened" | "session.failed" | "session.closed" }
>;

export interface AgentSocketHandlers {
  output(bytes: Uint8Array): void;
  control(frame: AgentDataFrame): void;
  /** A binary frame over the limit: the socket is being closed with 1009. */
  oversized(bytes: number): void;
  /** The socket closed or failed. */
  lost(): void;
}

/** Accepts the agent's data socket and routes its frames; never throws on what the agent sends. */
export function attachAgentSocket(ws: WebSocket, h: AgentSocketHandlers): void {
  // Binary frames as ArrayBuffers (the default here is Blob, whose async read would reorder output).
  ws.binaryType = "arraybuffer";
  ws.accept();
  let garbage = 0;
  let unknown = 0;
  let open = true;
  ws.addEventListener("message", (ev) => {
    if (!open) return;
    if (typeof ev.data !== "string") {
      const data = ev.data as ArrayBuffer;
      if (data.byteLength > MAX_DATA_FRAME_BYTES) {
        open = false;
        ws.close(FRAME_TOO_BIG_CLOSE_CODE, `frame over ${MAX_DATA_FRAME_BYTES} bytes`);
        h.oversized(data.byteLength);
        return;
      }
      h.output(new Uint8Array(data));
      return;
    }
    const parsed = parseAgentDataFrame(ev.data);
    if (parsed.ok) {
      h.control(parsed.msg);
      return;
    }
    if (unknownFrameType(ev.data, AGENT_DATA_FRAME_TYPES) !== null) {
      unknown += 1;
      if ((unknown & (unknown - 1)) === 0)
        console.warn(JSON.stringify({ level: "warn", msg: "data frame of unknown type ignored", unknown }));
      return;
    }
    garbage += 1;
    if (garbage > MAX_GARBAGE) {
      open = false;
      ws.close(1008, "too many malformed frames");
    }
  });
  ws.addEventListener("close", () => h.lost());
  ws.addEventListener("error", () => h.lost());
}

/** The last TAIL_BYTES of output, durable in the object's storage, in rows of at most TAIL_ROW_BYTES. */
export class OutputTail {
  private rows: { seq: number; len: number }[] = [];
  private bytes = 0;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(
      "create table if not exists out_tail (seq integer primary key autoincrement, data blob not null)",
    );
  }

  /** Replays the stored tail (object start-up). */
  restore(write: (bytes: Uint8Array) => void): void {
    for (const row of this.sql.exec<{ seq: number; data: ArrayBuffer }>(
      "select seq, data from out_tail order by seq",
    )) {
      write(new Uint8Array(row.data));
      this.rows.push({ seq: row.seq, len: row.data.byteLength });
      this.bytes += row.data.byteLength;
    }
  }

  /** Appends one batch; throws when storage fails (the caller decides what that means for the session). */
  append(batch: Uint8Array): void {
    for (let off = 0; off < batch.byteLength; off += TAIL_ROW_BYTES) {
      // SQL storage binds ArrayBuffers, not views: copy the slice into its own buffer.
      const piece = batch.slice(off, Math.min(batch.byteLength, off + TAIL_ROW_BYTES));
      const row = this.sql
        .exec<{ seq: number }>("insert into out_tail (data) values (?) returning seq", piece.buffer)
        .one();
      this.rows.push({ seq: row.seq, len: piece.byteLength });
      this.bytes += piece.byteLength;
    }
    while (this.bytes > TAIL_BYTES && this.rows.length > 1) {
      const old = this.rows.shift() as { seq: number; len: number };
      this.bytes -= old.len;
      this.sql.exec("delete from out_tail where seq = ?", old.seq);
    }
  }
}
