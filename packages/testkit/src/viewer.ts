// A recording viewer for end-to-end tests and benchmarks, on @nostromo/client's ViewerSocket (with `ws`):
// keeps every output byte and every JSON frame, and feeds a headless terminal with the snapshot and the
// live stream, so a test can assert on the screen as a person would see it.
import { type ViewerClose, ViewerSocket, type WebSocketConstructor } from "@nostromo/client";
import type { RoomFrame } from "@nostromo/protocol";
import serializeAddon from "@xterm/addon-serialize";
import xtermHeadless from "@xterm/headless";
import WebSocket from "ws";
import type { Http } from "./http.ts";

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
  private socket: ViewerSocket | null = null;

  private constructor(private readonly modelled: boolean) {
    this.term = new Terminal({ cols: 80, rows: 24, allowProposedApi: true });
    this.term.loadAddon(this.serializer as unknown as Parameters<Terminal["loadAddon"]>[0]);
  }

  /** The underlying `ws` socket (tests send raw or oversized frames, or drop it without a close). */
  get ws(): WebSocket {
    if (!this.socket) throw new Error("viewer not open");
    return this.socket.ws as unknown as WebSocket;
  }

  get closed(): ViewerClose | null {
    return this.socket?.closed ?? null;
  }

  private onOutput(bytes: Uint8Array): void {
    const buf = Buffer.from(bytes);
    this.chunks.push(buf);
    this.write(buf);
  }

  private onFrame(frame: RoomFrame): void {
    const f = frame as Json;
    this.frames.push(f);
    if (frame.t === "snapshot") {
      this.term.resize(frame.cols, frame.rows);
      this.write(frame.data);
    }
    if (frame.t === "resize") this.term.resize(frame.cols, frame.rows);
  }

  private write(data: string | Buffer): void {
    if (!this.modelled) return;
    this.writes = this.writes.then(() => new Promise<void>((r) => this.term.write(data, r)));
  }

  /** `terminal: false` keeps the bytes but models no screen (benchmarks: hundreds of viewers in one process). */
  static async open(
    http: Http,
    sessionId: string,
    headers: Record<string, string> = {},
    { terminal = true }: { terminal?: boolean } = {},
  ): Promise<Viewer> {
    const h: Record<string, string> = { ...headers };
    if (http.cookie) h.cookie = `sid=${http.cookie}`;
    if (http.bearer) h.authorization = `Bearer ${http.bearer}`;
    const v = new Viewer(terminal);
    v.socket = await ViewerSocket.open({
      baseUrl: http.base,
      sessionId,
      ...(http.tenantId ? { tenant: http.tenantId } : {}),
      headers: h,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      onOutput: (bytes) => v.onOutput(bytes),
      onFrame: (frame) => v.onFrame(frame),
    });
    return v;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }

  type(s: string): void {
    this.socket?.type(s);
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
    this.socket?.close();
  }
}
