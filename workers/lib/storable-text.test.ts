import { describe, expect, it } from "vitest";
import {
  findUnstorable,
  findUnstorablePath,
  findUnstorableQuery,
  MAX_JSON_DEPTH,
  toStorable,
  unstorable,
} from "./storable-text.ts";

describe("storable text", () => {
  it("refuses NUL and lone surrogates, accepts real characters", () => {
    expect(unstorable("a\u0000b")).toMatch(/NUL/);
    expect(unstorable("\ud800")).toMatch(/surrogate/);
    expect(unstorable("x\udc00")).toMatch(/surrogate/);
    expect(unstorable("🚀 ñ \u0001 \t")).toBeNull();
  });

  it("names the path of the first bad value or key, at any depth", () => {
    expect(findUnstorable({ a: [{ b: "ok" }, { c: "x\u0000" }] })).toMatchObject({ path: "a.1.c" });
    expect(findUnstorable({ a: { "k\u0000": 1 } })).toMatchObject({ path: "a.k\\u0000" });
    expect(findUnstorable({ a: 1, b: [true, null, "fine"] })).toBeNull();
  });

  it("refuses nesting beyond the bound without recursing", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnstorable(deep)?.message).toMatch(/nested/);
    let ok: unknown = "x";
    for (let i = 0; i < MAX_JSON_DEPTH - 1; i++) ok = { k: ok };
    expect(findUnstorable(ok)).toBeNull();
  });

  it("checks query strings and paths by decoded value", () => {
    expect(findUnstorableQuery("?search=a%00b")).toMatchObject({ path: "search" });
    expect(findUnstorableQuery("?type=%ED%A0%80")).toMatchObject({ path: "type" });
    expect(findUnstorableQuery("?q=%FF")).toMatchObject({ path: "q" });
    expect(findUnstorableQuery("?a=1&b=x+y&c=%C3%B1")).toBeNull();
    expect(findUnstorablePath("/api/users/a%00")).toMatchObject({ path: "path" });
    expect(findUnstorablePath("/api/users/%E0%A4%A")).toMatchObject({ path: "path" });
    expect(findUnstorablePath("/api/users/abc")).toBeNull();
  });

  it("makes foreign text storable", () => {
    expect(toStorable("a\u0000b\ud800c🚀")).toBe("a\ufffdb\ufffdc🚀");
  });
});
