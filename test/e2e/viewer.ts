// A viewer client for end-to-end tests: a WebSocket to /api/remote-sessions/:id/ws that keeps every
// output byte, every JSON frame, and a headless terminal fed with the snapshot and the live stream.
import serializeAddon from "@xterm/addon-serialize";
import xtermHeadless from "@xterm/headless";
import WebSocket from "ws";
import type { Http } from "./harness.ts";

// Default imports: both packages are CommonJS, whose named exports plain Node (tsx, the benchmarks)
// cannot see; vitest accepts either form.
const { Terminal } = xtermHeadless;
const { SerializeAddon } = serializeAddon;
type Terminal = InstanceType<typeof Terminal>;

type Json = { t: string; [k: string]: unknown };

export class Viewer {
  readonly frames: Json[] = [];
  readonly chunks: Buffer[] = [];
  readonly term: Terminal;
  private readonly serializer = new SerializeAddon();
  private writes: Promise<void> = Promise.resolve();
  closed: { code: number; reason: string } | null = null;

  private constructor(
    readonly ws: WebSocket,
    private readonly modelled = true,
  ) {
    this.term = new Terminal({ cols: 80, rows: 24, allowProposedApi: true });
    this.term.loadAddon(this.serializer as unknown as Parameters<Terminal["loadAddon"]>[0]);
    ws.on("message", (data, isBinary) => {
      if (isBinary) {
        const buf = Buffer.from(data as Buffer);
        this.chunks.push(buf);
        this.write(buf);
        return;
      }
      const frame = JSON.parse(String(data)) as Json;
      this.frames.push(frame);
      if (frame.t === "snapshot") {
        this.term.resize(frame.cols as number, frame.rows as number);
        this.write(frame.data as string);
      }
      if (frame.t === "resize") this.term.resize(frame.cols as number, frame.rows as number);
    });
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: String(reason) };
    });
  }

  private write(data: string | Buffer): void {
    if (!this.modelled) return;
    this.writes = this.writes.then(() => new Promise<void>((r) => this.term.write(data, r)));
  }

  /** `terminal: false` keeps the bytes but models no screen (benchmarks: hundreds of viewers in one process). */
  static open(
    http: Http,
    sessionId: string,
    headers: Record<string, string> = {},
    { terminal = true }: { terminal?: boolean } = {},
  ): Promise<Viewer> {
    const h: Record<string, string> = { ...headers };
    if (http.tenantId) h["x-tenant-id"] = http.tenantId;
    if (http.cookie) h.cookie = `sid=${http.cookie}`;
    if (http.bearer) h.authorization = `Bearer ${http.bearer}`;
    const ws = new WebSocket(`${http.base.replace(/^http/, "ws")}/api/remote-sessions/${sessionId}/ws`, {
      headers: h,
    });
    const v = new Viewer(ws, terminal);
    return new Promise((res, rej) => {
      ws.once("open", () => res(v));
      ws.once("unexpected-response", (_q, r) => rej(new Error(`upgrade refused: ${r.statusCode}`)));
      ws.once("error", rej);
    });
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }

  type(s: string): void {
    this.ws.send(Buffer.from(s));
  }

  send(frame: Json): void {
    this.ws.send(JSON.stringify(frame));
  }

  async screen(): Promise<string[]> {
    await this.writes;
    const buf = this.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < this.term.rows; i++)
      lines.push(buf.getLine(buf.viewportY + i)?.translateToString(true) ?? "");
    return lines;
  }

  frame(t: string): Json | undefined {
    return this.frames.find((f) => f.t === t);
  }

  async until(what: string, pred: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline)
        throw new Error(
          `viewer timed out waiting for ${what}; got: ${JSON.stringify(this.text().slice(-400))}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  close(): void {
    this.ws.close();
  }
}
