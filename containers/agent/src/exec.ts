// One-shot commands (`exec.request`): run without a PTY, collect stdout+stderr in arrival order up to
// maxOutputBytes, report exit code / signal / duration. The deadline covers connecting as well, so
// the edge gets an answer within timeoutMs whatever the target does. When the request asks for `stream`,
// the output also goes out as exec.output frames as it arrives (exec-stream.ts).
import { type AgentFrame, type ExecRequestFrame, MAX_FRAME_BYTES, utf8Length } from "@nostromo/protocol";
import { OutputStreamer } from "./exec-stream";
import type { Logger } from "./log";
import { classifySshError, connectSsh, SSH_READY_TIMEOUT_MS, SshConnectError } from "./ssh";

/** Drops a trailing, incomplete UTF-8 sequence (what a byte limit leaves when it cuts a character). */
export function dropPartialUtf8(bytes: Buffer): Buffer {
  let i = bytes.length - 1;
  let continuation = 0;
  while (i >= 0 && continuation < 3 && ((bytes[i] ?? 0) & 0xc0) === 0x80) {
    i -= 1;
    continuation += 1;
  }
  if (i < 0) return bytes;
  const lead = bytes[i] ?? 0;
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return length > continuation + 1 ? bytes.subarray(0, i) : bytes;
}

/** At most `max` bytes, cut at a character boundary. */
export function truncateUtf8(bytes: Buffer, max: number): Buffer {
  return bytes.length <= max ? bytes : dropPartialUtf8(bytes.subarray(0, max));
}

/** Shrinks the output until the JSON frame fits (control characters grow sixfold when escaped). */
export function fitResult(frame: Extract<AgentFrame, { t: "exec.result" }>): AgentFrame {
  let result = frame;
  let bytes: Buffer = Buffer.from(result.output, "utf8");
  while (utf8Length(JSON.stringify(result)) > MAX_FRAME_BYTES && bytes.length > 0) {
    bytes = truncateUtf8(bytes, Math.floor(bytes.length / 2));
    result = { ...result, output: bytes.toString("utf8"), truncated: true };
  }
  return result;
}

/** Runs the command; `emit` sends exec.output frames (used only when the request asked for `stream`). */
export async function runExec(
  request: ExecRequestFrame,
  log: Logger,
  emit: (frame: AgentFrame) => void = () => {},
): Promise<AgentFrame> {
  const { requestId, target, timeoutMs, maxOutputBytes } = request;
  const started = Date.now();
  const elog = log.child({ requestId });
  elog.info("exec.start", { host: target.host, port: target.port, user: target.username });

  let connection: Awaited<ReturnType<typeof connectSsh>>;
  try {
    connection = await connectSsh(target, { readyTimeoutMs: Math.min(SSH_READY_TIMEOUT_MS, timeoutMs) });
  } catch (err) {
    const failure = err instanceof SshConnectError ? err.failure : classifySshError(err, target);
    elog.warn("exec.failed", { code: failure.code, message: failure.message });
    return { t: "exec.failed", requestId, code: failure.code, message: failure.message };
  }
  const { client } = connection;

  return new Promise<AgentFrame>((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let truncated = false;
    let exit: { code: number | null; signal: string | null } = { code: null, signal: null };
    let settled = false;
    const settle = (frame: AgentFrame) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      client.end();
      elog.info("exec.done", { t: frame.t, durationMs: Date.now() - started });
      resolve(frame);
    };
    const deadline = setTimeout(
      () => {
        settle({
          t: "exec.failed",
          requestId,
          code: "TIMEOUT",
          message: `command did not finish within ${timeoutMs} ms`,
        });
        client.destroy();
      },
      Math.max(0, timeoutMs - (Date.now() - started)),
    );
    const collect = (chunk: Buffer) => {
      if (kept >= maxOutputBytes) {
        truncated = true;
        return;
      }
      const room = maxOutputBytes - kept;
      if (chunk.length > room) truncated = true;
      const piece = chunk.subarray(0, room);
      chunks.push(piece);
      kept += piece.length;
    };
    client.on("error", (err) => {
      const failure = classifySshError(err, target);
      settle({ t: "exec.failed", requestId, code: failure.code, message: failure.message });
    });
    client.on("close", () =>
      settle({
        t: "exec.failed",
        requestId,
        code: "CONNECT_FAILED",
        message: "connection closed before the command ended",
      }),
    );
    client.exec(request.command, (err, stream) => {
      if (err) {
        settle({
          t: "exec.failed",
          requestId,
          code: "PROTOCOL",
          message: `the server refused to run the command: ${err.message}`,
        });
        return;
      }
      const streamer = request.stream ? new OutputStreamer(requestId, emit) : null;
      stream.on("data", (chunk: Buffer) => {
        collect(chunk);
        streamer?.push("stdout", chunk);
      });
      stream.stderr.on("data", (chunk: Buffer) => {
        collect(chunk);
        streamer?.push("stderr", chunk);
      });
      stream.on("exit", (code: number | null, signal?: string) => {
        exit = { code: typeof code === "number" ? code : null, signal: signal ?? null };
      });
      stream.on("close", () => {
        streamer?.flush();
        const all = Buffer.concat(chunks);
        const output = truncated ? dropPartialUtf8(all) : all;
        settle(
          fitResult({
            t: "exec.result",
            requestId,
            output: output.toString("utf8"),
            exitCode: exit.code,
            signal: exit.signal,
            durationMs: Date.now() - started,
            truncated,
          }),
        );
      });
    });
  });
}
