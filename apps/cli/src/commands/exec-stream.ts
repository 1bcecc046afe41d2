// The exec API's streamed answer read line by line (NDJSON: one event per line, a line may arrive in
// several chunks and a chunk may hold several lines). Pure over an async iterable, so it has a unit test.
import type { components } from "@nostromo/client";

export type ExecEvent = components["schemas"]["ExecStreamEvent"];

export async function* execLines(
  body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
): AsyncGenerator<ExecEvent> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl = buffered.indexOf("\n");
    while (nl >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) yield JSON.parse(line) as ExecEvent;
      nl = buffered.indexOf("\n");
    }
  }
  const rest = (buffered + decoder.decode()).trim();
  if (rest) yield JSON.parse(rest) as ExecEvent;
}
