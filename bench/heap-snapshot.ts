// A heap snapshot of the Worker's isolate through wrangler dev's inspector (Chrome DevTools protocol
// `HeapProfiler.takeHeapSnapshot`), summarised as count and self size per constructor (objects, closures
// by name; strings, arrays, code by kind), and the difference of two summaries — which kinds of objects
// the isolate accumulates between two points of the soak. Hand-written on `ws` for the same reason as
// isolate-heap.ts; the snapshot format is V8's (meta.node_fields / node_types).
import WebSocket from "ws";

export type HeapSummary = Map<string, { count: number; bytes: number }>;

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Count and self size per constructor of a snapshot (V8's JSON). */
export function summariseSnapshot(raw: string): HeapSummary {
  return summarise(JSON.parse(raw) as Snapshot);
}

function summarise(s: Snapshot): HeapSummary {
  const f = s.snapshot.meta.node_fields;
  const [iType, iName, iSize] = [f.indexOf("type"), f.indexOf("name"), f.indexOf("self_size")];
  const types = s.snapshot.meta.node_types[0];
  const out: HeapSummary = new Map();
  for (let i = 0; i < s.nodes.length; i += f.length) {
    const type = types[s.nodes[i + iType] ?? 0] ?? "?";
    const named = type === "object" || type === "closure" || type === "native";
    const key = named ? `${type} ${s.strings[s.nodes[i + iName] ?? 0]}` : type;
    const e = out.get(key) ?? { count: 0, bytes: 0 };
    e.count += 1;
    e.bytes += s.nodes[i + iSize] ?? 0;
    out.set(key, e);
  }
  return out;
}

/** Collects garbage, takes a snapshot and summarises it; null when the inspector does not answer. */
export async function heapSummary(port: number): Promise<HeapSummary | null> {
  const raw = await rawHeapSnapshot(port);
  return raw ? summarise(JSON.parse(raw) as Snapshot) : null;
}

/** Collects garbage and takes a snapshot (V8's JSON); null when the inspector does not answer. */
export async function rawHeapSnapshot(port: number, timeoutMs = 120_000): Promise<string | null> {
  const list = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
    webSocketDebuggerUrl?: string;
  }[];
  const url = list.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
  if (!url) return null;
  const ws = new WebSocket(url, { maxPayload: 2 ** 30 });
  const chunks: string[] = [];
  let next = 0;
  const pending = new Map<number, () => void>();
  ws.on("message", (d) => {
    const msg = JSON.parse(String(d)) as { id?: number; method?: string; params?: { chunk: string } };
    if (msg.method === "HeapProfiler.addHeapSnapshotChunk" && msg.params) chunks.push(msg.params.chunk);
    if (msg.id !== undefined) pending.get(msg.id)?.();
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<void>((resolve) => {
      next += 1;
      pending.set(next, resolve);
      ws.send(JSON.stringify({ id: next, method, params }));
    });
  const timer = new Promise<null>((r) => setTimeout(() => r(null), timeoutMs));
  try {
    const work = (async () => {
      await new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", reject);
      });
      await call("HeapProfiler.collectGarbage");
      await call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
      return chunks.join("");
    })();
    return await Promise.race([work, timer]);
  } catch {
    return null;
  } finally {
    ws.close();
  }
}

/** The `top` kinds that grew most in bytes from `a` to `b`, as table rows. */
export function growth(a: HeapSummary, b: HeapSummary, top = 15): string[] {
  const rows = [...b].map(([k, v]) => {
    const was = a.get(k) ?? { count: 0, bytes: 0 };
    return { k, dCount: v.count - was.count, dBytes: v.bytes - was.bytes, bytes: v.bytes };
  });
  rows.sort((x, y) => y.dBytes - x.dBytes);
  return rows
    .slice(0, top)
    .map(
      (r) =>
        `| ${r.k.slice(0, 60)} | ${r.dCount >= 0 ? "+" : ""}${r.dCount} | ${(r.dBytes / 1024).toFixed(0)} | ${(r.bytes / 1024).toFixed(0)} |`,
    );
}
