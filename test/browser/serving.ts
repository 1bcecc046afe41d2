// The console as the Worker serves it: index.html for the console's routes with a strict CSP, hashed
// assets cached immutably, the Scalar bundle vendored, and /api/* still answered by the Worker.
import { expect, it } from "vitest";
import type { ConsoleEnv } from "./harness.ts";

export function servingCases(env: () => ConsoleEnv) {
  it("serves the console at / and at its deep links, with a strict CSP", async () => {
    for (const path of ["/", "/cc/tenants", "/connections/new"]) {
      const res = await fetch(`${env().platform}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
      const csp = res.headers.get("content-security-policy") ?? "";
      // WebAssembly compilation (the recording player) is the only allowance; no inline script, no eval.
      expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval';");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-/);
      expect(csp).toContain("style-src 'self';");
      expect(await res.text()).toContain('<div id="app">');
    }
  });

  it("caches hashed assets for a year and serves the vendored Scalar bundle", async () => {
    const html = await (await fetch(`${env().platform}/`)).text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();
    const res = await fetch(`${env().platform}${asset}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const scalar = await fetch(`${env().platform}/vendor/scalar/standalone.js`);
    expect(scalar.status).toBe(200);
    expect(scalar.headers.get("content-type")).toMatch(/javascript/);
    expect((await scalar.text()).length).toBeGreaterThan(1_000_000);
  });

  it("leaves /api/* to the Worker: an unknown API path is a JSON 404, not the console", async () => {
    const res = await fetch(`${env().platform}/api/no-such-route`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });
}
