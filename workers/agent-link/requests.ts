// What the edge has asked one agent to do, kept in the AgentLink's own storage (it survives eviction and
// restarts): the sessions it sent `session.open` / `session.close` / `tunnel.open` / `telnet.open` / `rdp.open` /
// `vnc.open` for,
// the exec requests it sent, and of those the ones that asked for streamed output (only they may be
// answered with exec.output frames), and the probe (connection test) requests it sent.
// An agent's answer is accepted only when it matches one of these; anything else is refused by the
// AgentLink (see limits.ts). Bounded: exec records expire, and at most MAX_RECORDS are kept.
import type { EdgeFrame } from "@nostromo/protocol";

export type RequestKind = "session" | "exec" | "exec.stream" | "probe";

/** Enough for any real agent (sessions + commands in flight); the oldest records go first. */
export const MAX_RECORDS = 5_000;
/** An exec answer later than its timeout plus this is no longer expected. */
export const EXEC_ANSWER_GRACE_MS = 60_000;
/** A session the edge stopped hearing about for this long is forgotten (its room has long ended it). */
export const SESSION_RECORD_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export class OutstandingRequests {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(
      `create table if not exists outstanding (
         kind text not null, id text not null, expires_at integer not null, primary key (kind, id))`,
    );
  }

  /** Called for every frame the edge sends to the agent. */
  sent(frame: EdgeFrame, now: number): void {
    if (
      frame.t === "session.open" ||
      frame.t === "session.close" ||
      frame.t === "tunnel.open" ||
      frame.t === "telnet.open" ||
      frame.t === "rdp.open" ||
      frame.t === "vnc.open"
    )
      this.put("session", frame.sessionId, now + SESSION_RECORD_TTL_MS, now);
    else if (frame.t === "exec.request") {
      const expires = now + frame.timeoutMs + EXEC_ANSWER_GRACE_MS;
      this.put("exec", frame.requestId, expires, now);
      if (frame.stream) this.put("exec.stream", frame.requestId, expires, now);
    } else if (frame.t === "probe.request")
      this.put("probe", frame.requestId, now + frame.timeoutMs + EXEC_ANSWER_GRACE_MS, now);
  }

  has(kind: RequestKind, id: string, now: number): boolean {
    return (
      this.sql
        .exec("select 1 from outstanding where kind = ? and id = ? and expires_at > ?", kind, id, now)
        .toArray().length > 0
    );
  }

  /** The answer that ends a request (session.closed/failed, exec.result/failed; an exec ends its stream). */
  done(kind: RequestKind, id: string): void {
    this.sql.exec("delete from outstanding where kind = ? and id = ?", kind, id);
    if (kind === "exec") this.sql.exec("delete from outstanding where kind = 'exec.stream' and id = ?", id);
  }

  private put(kind: RequestKind, id: string, expiresAt: number, now: number): void {
    this.sql.exec(
      "insert into outstanding (kind, id, expires_at) values (?, ?, ?) on conflict (kind, id) do update set expires_at = excluded.expires_at",
      kind,
      id,
      expiresAt,
    );
    this.sql.exec("delete from outstanding where expires_at <= ?", now);
    const [row] = this.sql.exec<{ n: number }>("select count(*) as n from outstanding").toArray();
    if ((row?.n ?? 0) > MAX_RECORDS)
      this.sql.exec(
        "delete from outstanding where rowid in (select rowid from outstanding order by expires_at limit ?)",
        (row?.n ?? 0) - MAX_RECORDS,
      );
  }
}

/** Requests whose answer a caller awaits (exec, probe): resolved by the answer, or null after `ms`. */
export class AnswerWaiters<T> {
  private readonly waiting = new Map<string, (answer: T | null) => void>();

  wait(id: string, ms: number): Promise<T | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(null);
      }, ms);
      this.waiting.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
    });
  }

  settle(id: string, answer: T): void {
    const waiter = this.waiting.get(id);
    this.waiting.delete(id);
    waiter?.(answer);
  }
}
