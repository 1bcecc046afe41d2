import { describe, expect, it } from "vitest";
import { isChunkLoadError, shouldReload } from "./chunk-reload.ts";

describe("chunk reload", () => {
  it("recognises the browsers' failed-import errors and nothing else", () => {
    expect(isChunkLoadError(new TypeError("Failed to fetch dynamically imported module: /assets/x.js"))).toBe(
      true,
    );
    expect(isChunkLoadError(new TypeError("Importing a module script failed."))).toBe(true);
    expect(
      isChunkLoadError(
        new TypeError(
          'Failed to load module script: Expected a JavaScript module script but the server responded with a MIME type of "text/html"',
        ),
      ),
    ).toBe(true);
    expect(isChunkLoadError(new Error("Cannot read properties of undefined"))).toBe(false);
  });

  it("reloads at most once a minute", () => {
    expect(shouldReload(null, 1_000)).toBe(true);
    expect(shouldReload(1_000, 30_000)).toBe(false);
    expect(shouldReload(1_000, 62_000)).toBe(true);
  });
});
