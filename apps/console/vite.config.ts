// Builds the console into dist/, the Worker's static assets (wrangler.toml [assets]). Hashed files go under
// assets/ (cached immutably by public/_headers); the Scalar API reference's browser bundle is copied to
// vendor/scalar/standalone.js so /api/docs needs no CDN (the machines that run Nostromo may have no internet).
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import preact from "@preact/preset-vite";
import { defineConfig, type Plugin } from "vite";

const require = createRequire(import.meta.url);

/** The package's folder (it exports no package.json and no browser bundle, so walk up from its entry). */
function packageRoot(name: string): string {
  let dir = dirname(require.resolve(name));
  while (dir !== dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === name) return dir;
    dir = dirname(dir);
  }
  throw new Error(`cannot find the folder of ${name}`);
}

function vendorScalar(): Plugin {
  return {
    name: "nostromo-vendor-scalar",
    apply: "build",
    writeBundle(options) {
      const pkg = packageRoot("@scalar/api-reference");
      const out = join(options.dir ?? "dist", "vendor/scalar");
      mkdirSync(out, { recursive: true });
      copyFileSync(join(pkg, "dist/browser/standalone.js"), join(out, "standalone.js"));
    },
  };
}

/** IronRDP's RDP backend ships its WebAssembly inline, as a data: URL it fetch()es — which the console's
 * Content-Security-Policy (connect-src 'self') refuses. Emit it as a same-origin hashed asset instead (also
 * smaller than base64, and compiled while it streams). */
function ironRdpWasm(): Plugin {
  const INLINE = /"data:application\/wasm;base64,([A-Za-z0-9+/=]+)"/;
  return {
    name: "nostromo-ironrdp-wasm",
    apply: "build",
    transform(code, id) {
      if (!id.includes("iron-remote-desktop-rdp")) return null;
      const m = INLINE.exec(code);
      if (!m?.[1]) return null;
      const ref = this.emitFile({ type: "asset", name: "ironrdp.wasm", source: Buffer.from(m[1], "base64") });
      return { code: code.replace(m[0], `import.meta.ROLLUP_FILE_URL_${ref}`), map: null };
    },
  };
}

export default defineConfig({
  root: resolve(import.meta.dirname),
  plugins: [preact(), vendorScalar(), ironRdpWasm()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Modern browsers only; the polyfill would be an inline script the Content-Security-Policy forbids.
    modulePreload: { polyfill: false },
    target: "es2022",
    // The terminal's lazy chunk (xterm.js and its WebGL renderer) is ~510 kB, ~134 kB gzipped; nothing else
    // comes near. Loaded only on a terminal page.
    chunkSizeWarningLimit: 600,
    // Plugin timing reports are noise in `npm start` on a busy machine.
    rolldownOptions: { checks: { pluginTimings: false } },
  },
});
