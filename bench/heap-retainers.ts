// Why objects survive GC: the shortest path from the GC roots to each object of a given constructor in a
// V8 heap snapshot (strong edges only), printed edge by edge. Used on a snapshot of the Worker isolate
// (`npx tsx bench/heap-retainers.ts save <inspector port> <file>` takes one through wrangler dev's
// inspector; `npx tsx bench/heap-retainers.ts <file> "workerd / WebSocket" [n]` prints n paths).
import { readFileSync, writeFileSync } from "node:fs";
import { rawHeapSnapshot } from "./heap-snapshot.ts";

interface Snapshot {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

function paths(s: Snapshot, ctor: string, n: number): string[] {
  const nf = s.snapshot.meta.node_fields.length;
  const ef = s.snapshot.meta.edge_fields.length;
  const nodeTypes = s.snapshot.meta.node_types[0];
  const edgeTypes = s.snapshot.meta.edge_types[0];
  const count = s.nodes.length / nf;
  const firstEdge = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) firstEdge[i + 1] = (firstEdge[i] ?? 0) + (s.nodes[i * nf + 4] ?? 0) * ef;
  const parent = new Int32Array(count).fill(-1);
  const via = new Int32Array(count).fill(-1);
  parent[0] = 0;
  const queue = [0];
  for (let q = 0; q < queue.length; q++) {
    const from = queue[q] ?? 0;
    for (let e = firstEdge[from] ?? 0; e < (firstEdge[from + 1] ?? 0); e += ef) {
      if (edgeTypes[s.edges[e] ?? 0] === "weak") continue;
      const to = (s.edges[e + 2] ?? 0) / nf;
      if (parent[to] !== -1) continue;
      parent[to] = from;
      via[to] = e;
      queue.push(to);
    }
  }
  const label = (i: number) =>
    `${nodeTypes[s.nodes[i * nf] ?? 0]} ${String(s.strings[s.nodes[i * nf + 1] ?? 0]).slice(0, 50)}`;
  const edgeName = (e: number) => {
    const t = edgeTypes[s.edges[e] ?? 0];
    const v = s.edges[e + 1] ?? 0;
    return t === "element" || t === "hidden" ? `[${v}]` : String(s.strings[v]);
  };
  const out: string[] = [];
  for (let i = 0; i < count && out.length < n; i++) {
    if (s.strings[s.nodes[i * nf + 1] ?? 0] !== ctor || parent[i] === -1) continue;
    const steps: string[] = [];
    for (let j = i; j !== 0 && steps.length < 40; j = parent[j] ?? 0)
      steps.push(`${label(j)} ← .${edgeName(via[j] ?? 0)} of`);
    out.push(`${steps.join("\n  ")}\n  (root)`);
  }
  return out;
}

const [a, b, c] = process.argv.slice(2);
if (a === "save" && b && c) {
  const raw = await rawHeapSnapshot(Number(b));
  if (!raw) throw new Error("no snapshot");
  writeFileSync(c, raw);
} else if (a && b) {
  for (const p of paths(JSON.parse(readFileSync(a, "utf8")) as Snapshot, b, Number(c ?? 3)))
    console.log(`${p}\n`);
}
