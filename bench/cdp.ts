// A minimal Chrome DevTools protocol client for workerd's own inspector port (bench/join-heap.ts): it
// enables nothing — no `Runtime.enable`, no `Network.enable`, which make V8 and workerd keep console
// arguments and request data — and calls only the HeapProfiler and `Runtime.getHeapUsage` (which needs no
// domain enabled). workerd runs an inspector command that needs the isolate (a forced collection) only
// when the isolate next runs something, so `heapAfterGc` sends one cheap request (`kick`) to let it run.
// Hand-written on `ws`: no maintained DevTools-protocol client fits in a few lines without a browser.
import WebSocket from "ws";

export class Cdp {
  #next = 0;
  readonly #pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  readonly #chunks: string[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (d) => {
      const msg = JSON.parse(String(d)) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
        method?: string;
        params?: { chunk?: string };
      };
      if (msg.method === "HeapProfiler.addHeapSnapshotChunk" && msg.params?.chunk)
        this.#chunks.push(msg.params.chunk);
      if (msg.id === undefined) return;
      const p = this.#pending.get(msg.id);
      this.#pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(`${msg.error.message}`));
      else p?.resolve(msg.result);
    });
  }

  static async connect(url: string): Promise<Cdp> {
    const ws = new WebSocket(url, { maxPayload: 2 ** 30 });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return new Cdp(ws);
  }

  call<T>(method: string, params: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<T> {
    this.#next += 1;
    const id = this.#next;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${method}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Bytes of the isolate's JS heap after a full collection (run by `kick`ing the isolate until it ran). */
  async heapAfterGc(kick: () => Promise<unknown>): Promise<number> {
    let collected = false;
    const done = this.call("HeapProfiler.collectGarbage").then(() => {
      collected = true;
    });
    while (!collected) {
      await kick();
      await Promise.race([done, new Promise((r) => setTimeout(r, 20))]);
    }
    const h = await this.call<{ usedSize: number }>("Runtime.getHeapUsage");
    return h.usedSize;
  }

  /** A heap snapshot (V8 collects garbage before taking it), as V8's JSON. */
  async snapshot(): Promise<string> {
    this.#chunks.length = 0;
    await this.call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
    const raw = this.#chunks.join("");
    this.#chunks.length = 0;
    return raw;
  }

  close(): void {
    this.ws.close();
  }
}
