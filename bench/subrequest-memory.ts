// Does workerd itself keep memory per subrequest? A 15-line Worker with no code of ours, run in bare workerd
// through Miniflare (no wrangler dev, no dev proxy, no inspector domain enabled), makes SUBREQ_COUNT
// (default 5,000) 4 KiB `fetch` POSTs to a local HTTP server, then as many 4 KiB `put`s into a local R2
// bucket (Miniflare's R2 is a Worker of its own in the same process: each put is a subrequest into another
// isolate), 4 at a time; the process's RSS every 1,000; then a forced collection in each isolate through
// workerd's own inspector, RSS after each. The soak's recorder puts a chunk every 2 s: this is why its Worker
// process grows when recording (docs/reliability.md, cloudflare/workerd#6894).
// Run: npx tsx bench/subrequest-memory.ts
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Miniflare } from "miniflare";
import { Cdp } from "./cdp.ts";

const COUNT = Number(process.env.SUBREQ_COUNT ?? 5000);
const SCRIPT = `
const body = new Uint8Array(4096).fill(65);
let n = 0;
export default {
  async fetch(req, env) {
    const u = new URL(req.url);
    if (u.pathname === "/r2") { n += 1; await env.B.put("rec/" + n + ".part", body); return new Response("ok"); }
    if (u.pathname === "/fetch") { await (await fetch(u.searchParams.get("to"), { method: "POST", body })).text(); }
    return new Response("ok");
  },
};`;

const sink = createServer((req, res) => {
  req.resume();
  req.on("end", () => res.end("ok"));
});
await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`;
const mf = new Miniflare({
  modules: true,
  script: SCRIPT,
  compatibilityDate: "2025-01-01",
  r2Buckets: ["B"],
  inspectorPort: 0,
});
const url = await mf.ready;

function workerdPid(): number {
  for (const p of readdirSync("/proc").filter((n) => /^\d+$/.test(n)))
    try {
      const parent = readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]?.split(" ")[1];
      if (parent === String(process.pid) && readFileSync(`/proc/${p}/comm`, "utf8").trim() === "workerd")
        return Number(p);
    } catch {
      // exited meanwhile
    }
  throw new Error("workerd not found");
}
const pid = workerdPid();
const rss = () =>
  (Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024).toFixed(0);
const get = async (path: string) => (await fetch(new URL(path, url))).text();

try {
  const marks: string[] = [rss()];
  for (const [what, path] of [
    ["fetch POSTs", `/fetch?to=${encodeURIComponent(sinkUrl)}`],
    ["R2 puts", "/r2"],
  ] as const) {
    let done = 0;
    const one = async (): Promise<void> => {
      while (done < COUNT) {
        done += 1;
        const i = done;
        await get(path);
        if (i % 1000 === 0) marks.push(rss());
      }
    };
    await Promise.all([one(), one(), one(), one()]);
    console.log(`${what}: RSS MiB every 1,000 from the start: ${marks.join(" → ")}`);
    marks.splice(0, marks.length, rss());
  }
  const inspector = (await mf.getInspectorURL()).port;
  const targets = (await (await fetch(`http://127.0.0.1:${inspector}/json`)).json()) as {
    title?: string;
    webSocketDebuggerUrl?: string;
  }[];
  for (const t of targets) {
    if (!t.webSocketDebuggerUrl) continue;
    const cdp = await Cdp.connect(t.webSocketDebuggerUrl);
    // An isolate runs the collection when it next runs something; one nothing calls never does.
    const heap = await Promise.race([
      cdp.heapAfterGc(() => get("/r2")),
      new Promise<null>((r) => setTimeout(() => r(null), 15_000)),
    ]);
    cdp.close();
    await new Promise((r) => setTimeout(r, 2000));
    const h = heap === null ? "did not run" : `heap after it ${(heap / 2 ** 20).toFixed(1)} MiB`;
    console.log(`forced GC in ${t.title}: RSS ${rss()} MiB (${h})`);
  }
} finally {
  await mf.dispose();
  sink.close();
}
