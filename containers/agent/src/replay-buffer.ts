// The last output a data socket sent, by byte offset, so that after a reconnect the agent can re-send what
// the edge never stored (bytes written into a socket whose other end died are lost without an error).
// The edge says how much it has (`resume { offset }`); this answers with everything after it that is
// still kept. Bounded: the oldest chunks go first.

export class ReplayBuffer {
  #chunks: Buffer[] = [];
  #bytes = 0;
  /** Offset of the first byte still kept. */
  #start = 0;
  /** Bytes sent in all (the offset after the last one). */
  #end = 0;

  constructor(private readonly limit: number) {}

  get end(): number {
    return this.#end;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    this.#end += chunk.length;
    while (this.#bytes > this.limit && this.#chunks.length > 1) {
      const old = this.#chunks.shift() as Buffer;
      this.#bytes -= old.length;
      this.#start += old.length;
    }
  }

  /** What was sent after `offset`; `lost` counts requested bytes no longer kept. */
  since(offset: number): { chunks: Buffer[]; lost: number } {
    if (offset >= this.#end) return { chunks: [], lost: 0 };
    const from = Math.max(offset, this.#start);
    const chunks: Buffer[] = [];
    let pos = this.#start;
    for (const c of this.#chunks) {
      if (pos + c.length > from) chunks.push(pos >= from ? c : c.subarray(from - pos));
      pos += c.length;
    }
    return { chunks, lost: from - offset };
  }
}
