// A streamed command's output as exec.output frames: each stream (stdout, stderr) decoded as UTF-8 on its
// own (a character split across two SSH packets is held until its end arrives), cut into chunks the
// protocol accepts (never between the two halves of a surrogate pair), numbered 0, 1, 2… per request,
// and stopped once EXEC_STREAM_MAX_BYTES went out (the result still carries what it kept).
import { StringDecoder } from "node:string_decoder";
import { type AgentFrame, EXEC_OUTPUT_CHUNK_CHARS, EXEC_STREAM_MAX_BYTES } from "@nostromo/protocol";

type Stream = "stdout" | "stderr";

/** `text` in pieces of at most `max` UTF-16 units, none ending in the first half of a surrogate pair. */
export function chunkText(text: string, max: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end = Math.min(text.length, i + max);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && end - i > 1 && last >= 0xd800 && last <= 0xdbff) end -= 1;
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

export class OutputStreamer {
  readonly #decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
  #seq = 0;
  #bytes = 0;

  constructor(
    private readonly requestId: string,
    private readonly emit: (frame: AgentFrame) => void,
    private readonly maxBytes = EXEC_STREAM_MAX_BYTES,
  ) {}

  push(stream: Stream, chunk: Buffer): void {
    if (this.#bytes >= this.maxBytes) return;
    this.#bytes += chunk.length;
    this.#send(stream, this.#decoders[stream].write(chunk));
  }

  /** The command ended: whatever a decoder still holds (an incomplete character) goes out as U+FFFD. */
  flush(): void {
    this.#send("stdout", this.#decoders.stdout.end());
    this.#send("stderr", this.#decoders.stderr.end());
  }

  #send(stream: Stream, text: string): void {
    for (const data of chunkText(text, EXEC_OUTPUT_CHUNK_CHARS))
      this.emit({ t: "exec.output", requestId: this.requestId, seq: this.#seq++, stream, data });
  }
}
