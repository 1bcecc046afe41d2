// The shipped artifact: one ESM file for Node 20+, dependencies included.
import { build } from "esbuild";

await build({
  entryPoints: [new URL("./src/main.ts", import.meta.url).pathname],
  outfile: new URL("./dist/nostromo.mjs", import.meta.url).pathname,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  // ws's optional native helpers: absent is fine (it falls back to JavaScript).
  external: ["bufferutil", "utf-8-validate"],
  logLevel: "warning",
});
