// The Worker isolate's JavaScript heap, read through the inspector port wrangler dev exposes (the Chrome
// DevTools protocol over a WebSocket): after a forced collection, `Runtime.getHeapUsage` is the live JS
// heap (every object the Worker and its Durable Objects retain) — what the soak compares with workerd's
// resident memory to tell a leak in our code from growth in the runtime itself.
// Hand-written on `ws`: no maintained DevTools-protocol client fits in a few lines without a browser.
import WebSocket from "ws";

export interface HeapUsage {
  usedMiB: number;
  totalMiB: number;
  /** ArrayBuffer backing stores outside the heap, when the runtime's V8 reports them. */
  backingMiB: number | null;
}

async function target(port: number): Promise<string | null> {
  const res = await fetch(`http://127.0.0.1:${port}/json`);
  const list = (await res.json()) as { webSocketDebuggerUrl?: string }[];
  return list.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl ?? null;
}

/**
 * Collects garbage in the isolate, then reads its heap; null when the inspector does not answer.
 * `collect: false` reads the heap as it is (live objects and the garbage not collected yet).
 */
export async function isolateHeap(
  port: number,
  timeoutMs = 10_000,
  collect = true,
): Promise<HeapUsage | null> {
  const url = await target(port).catch(() => null);
  if (!url) return null;
  const ws = new WebSocket(url);
  let next = 0;
  const pending = new Map<number, (r: unknown) => void>();
  ws.on("message", (d) => {
    const msg = JSON.parse(String(d)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  const call = (method: string) =>
    new Promise<unknown>((resolve) => {
      next += 1;
      pending.set(next, resolve);
      ws.send(JSON.stringify({ id: next, method }));
    });
  const timer = new Promise<null>((r) => setTimeout(() => r(null), timeoutMs));
  try {
    const work = (async () => {
      await new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", reject);
      });
      if (collect) await call("HeapProfiler.collectGarbage");
      const h = (await call("Runtime.getHeapUsage")) as {
        usedSize: number;
        totalSize: number;
        backingStorageSize?: number;
      };
      const backing = h.backingStorageSize === undefined ? null : h.backingStorageSize / 2 ** 20;
      return { usedMiB: h.usedSize / 2 ** 20, totalMiB: h.totalSize / 2 ** 20, backingMiB: backing };
    })();
    return await Promise.race([work, timer]);
  } catch {
    return null;
  } finally {
    ws.close();
  }
}
