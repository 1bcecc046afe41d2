// The room's durable output tail: the last TAIL_BYTES of output in the object's SQLite, so a restarted
// object rebuilds the screen. Rows are bounded (TAIL_ROW_BYTES): the storage refuses rows over 2 MB
// (SQLITE_TOOBIG), and one oversized batch used to fail there and stop a session's output for good.

/** Durable output kept to rebuild the screen after a restart. */
export const TAIL_BYTES = 256 * 1024;
/** Largest row written to the object's SQLite (its limit is 2 MB a row; a batch may be bigger). */
export const TAIL_ROW_BYTES = 64 * 1024;

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
