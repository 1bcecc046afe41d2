// Bundles the agent into self-contained ES modules (dist/main.mjs, dist/healthcheck.mjs) for the container
// image: no TypeScript loader and no node_modules at run time. CommonJS dependencies (ssh2,
// systeminformation) expect require/__dirname, which an ES module lacks: the banner provides them.
import { build } from "esbuild";

const banner = [
  'import { createRequire as __nostromoRequire } from "node:module";',
  'import { dirname as __nostromoDirname } from "node:path";',
  'import { fileURLToPath as __nostromoPath } from "node:url";',
  "const require = __nostromoRequire(import.meta.url);",
  "const __filename = __nostromoPath(import.meta.url);",
  "const __dirname = __nostromoDirname(__filename);",
].join("\n");

for (const entry of ["main", "healthcheck"]) {
  await build({
    entryPoints: [`src/${entry}.ts`],
    outfile: `dist/${entry}.mjs`,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    // Optional native speed-ups of ssh2; its pure-JS fallbacks are used.
    external: ["cpu-features", "./crypto/build/Release/sshcrypto.node"],
    banner: { js: banner },
    logLevel: "warning",
  });
}
