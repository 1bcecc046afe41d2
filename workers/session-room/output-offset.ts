// How many output bytes of the current shell the room has stored (screen tail, recording, viewers), kept
// in the object's SQLite in the same turn as the output itself. Told to a (re)connecting agent as
// `resume { offset }`: what it sent after that died with a socket or a restarted Worker, and is re-sent.
export class OutputOffset {
  received: number;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(
      "create table if not exists out_offset (id integer primary key check (id = 1), received integer not null)",
    );
    this.received =
      sql.exec<{ received: number }>("select received from out_offset where id = 1").toArray()[0]?.received ??
      0;
  }

  add(bytes: number): void {
    this.set(this.received + bytes);
  }

  /** A reopened session is a new shell: its agent counts from zero. */
  reset(): void {
    this.set(0);
  }

  private set(value: number): void {
    this.received = value;
    this.sql.exec(
      "insert into out_offset (id, received) values (1, ?) on conflict (id) do update set received = excluded.received",
      value,
    );
  }
}
