// The exec requests an AgentLink has in flight and who waits for each: a caller that wants the outcome
// only (`wait`), or one that reads the output as it arrives (`stream`: NDJSON lines of ExecEvent, ended by
// one `end` line with the outcome, or null when the agent stayed silent past the deadline). The stream
// crosses from the Durable Object to the Worker over RPC as bytes; readExecEvents parses it there.
// exec.output frames reach this only once the AgentLink checked they answer a streamed request of its own
// agent (requests.ts); here a frame out of sequence or past EXEC_STREAM_MAX_BYTES is dropped.
import {
  type AgentFrame,
  EXEC_STREAM_MAX_BYTES,
  type ExecOutputFrame,
  type ExecRequestFrame,
} from "@nostromo/protocol";

export type ExecOutcome = Extract<AgentFrame, { t: "exec.result" | "exec.failed" }>;

export type ExecEvent =
  | { k: "output"; stream: ExecOutputFrame["stream"]; data: string }
  | { k: "end"; outcome: ExecOutcome | null };

interface InFlight {
  end(outcome: ExecOutcome | null): void;
  output?: (frame: ExecOutputFrame) => void;
  /** The last sequence number forwarded (-1: none yet) and the characters forwarded. */
  seq: number;
  chars: number;
}

const encoder = new TextEncoder();

/** How long past its timeout an exec's outcome is waited for. */
export const EXEC_GRACE_MS = 5_000;

export class ExecsInFlight {
  readonly #inFlight = new Map<string, InFlight>();

  /** The outcome of `frame`'s request; null when none came within its timeout plus `graceMs`. */
  wait(frame: ExecRequestFrame, graceMs = EXEC_GRACE_MS): Promise<ExecOutcome | null> {
    return new Promise((resolve) => this.#track(frame, graceMs, { end: resolve }));
  }

  /** The request's events as NDJSON bytes, ended by its `end` event. */
  stream(frame: ExecRequestFrame, graceMs = EXEC_GRACE_MS): ReadableStream<Uint8Array> {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    // A reader that went away (the caller hung up) makes writes fail: nothing more to tell it.
    const write = (e: ExecEvent) => writer.write(encoder.encode(`${JSON.stringify(e)}\n`)).catch(() => {});
    this.#track(frame, graceMs, {
      output: (f) => void write({ k: "output", stream: f.stream, data: f.data }),
      end: (outcome) => {
        void write({ k: "end", outcome });
        writer.close().catch(() => {});
      },
    });
    return readable;
  }

  /** exec.output of a request of this agent that asked for a stream. */
  output(frame: ExecOutputFrame): void {
    const f = this.#inFlight.get(frame.requestId);
    if (!f?.output || frame.seq <= f.seq || f.chars >= EXEC_STREAM_MAX_BYTES) return;
    f.seq = frame.seq;
    f.chars += frame.data.length;
    f.output(frame);
  }

  /** The request's outcome (exec.result / exec.failed). */
  ended(outcome: ExecOutcome): void {
    const f = this.#inFlight.get(outcome.requestId);
    this.#inFlight.delete(outcome.requestId);
    f?.end(outcome);
  }

  #track(frame: ExecRequestFrame, graceMs: number, w: Pick<InFlight, "end" | "output">): void {
    const timer = setTimeout(() => {
      this.#inFlight.delete(frame.requestId);
      w.end(null);
    }, frame.timeoutMs + graceMs);
    this.#inFlight.set(frame.requestId, {
      seq: -1,
      chars: 0,
      output: w.output,
      end: (outcome) => {
        clearTimeout(timer);
        w.end(outcome);
      },
    });
  }
}

/** The Worker's side of `stream`: the events one by one. */
export async function* readExecEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ExecEvent> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl = buffered.indexOf("\n");
    while (nl >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line) yield JSON.parse(line) as ExecEvent;
      nl = buffered.indexOf("\n");
    }
  }
}
