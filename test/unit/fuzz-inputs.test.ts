// The fuzz suite's schema-driven generators: fitting values fit, the ways of breaking an object all occur
// (a bad field, a missing required one, an unknown one), and deep nesting expands into real brackets.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  badObject,
  type Context,
  type Doc,
  query,
  type Schema,
  toJson,
  valid,
} from "../support/fuzz-inputs.ts";

const doc: Doc = {
  paths: {},
  components: { schemas: { Tier: { type: "string", enum: ["basic", "pro"] } } },
};
const ctx: Context = { doc, idsOfA: ["id-of-a"], idsOfB: ["id-of-b"], poisoned: false };
const body: Schema = {
  type: "object",
  properties: {
    name: { type: "string", minLength: 2, maxLength: 5 },
    size: { type: "integer", minimum: 1, maximum: 9 },
    tier: { $ref: "#/components/schemas/Tier" },
    owner: { type: "string", format: "uuid" },
  },
  required: ["name", "tier"],
};

describe("fuzz inputs from a schema", () => {
  it("fitting values fit: required keys present, enums, ranges, lengths and ids respected", () => {
    for (const v of fc.sample(valid(ctx, body), 200) as Record<string, unknown>[]) {
      expect(["basic", "pro"]).toContain(v.tier);
      expect(typeof v.name === "string" && v.name.length >= 2 && v.name.length <= 5).toBe(true);
      if ("size" in v)
        expect(Number.isInteger(v.size) && (v.size as number) >= 1 && (v.size as number) <= 9).toBe(true);
      if ("owner" in v) expect(v.owner).toBe("id-of-a");
    }
  });

  it("breaks an object every way: a bad field, a missing required field, an unknown field", () => {
    const known = new Set(Object.keys(body.properties ?? {}));
    const samples = fc.sample(badObject(ctx, body), 500);
    expect(samples.some((o) => !("name" in o) || !("tier" in o))).toBe(true);
    expect(samples.some((o) => Object.keys(o).some((k) => !known.has(k)))).toBe(true);
    expect(samples.some((o) => "tier" in o && !["basic", "pro"].includes(o.tier as string))).toBe(true);
    expect(samples.some((o) => "size" in o && !Number.isInteger(o.size))).toBe(true);
    expect(samples.some((o) => o.owner === "id-of-b")).toBe(true);
  });

  it("expands deep nesting markers into brackets", () => {
    expect(toJson({ a: "__fuzz_deep_3__" })).toBe('{"a":[[[]]]}');
  });

  it("names only documented query parameters, but for at most one unknown", () => {
    const params = [{ name: "page", in: "query", schema: { type: "integer", minimum: 1 } }];
    for (const pairs of fc.sample(query(ctx, params), 200))
      expect(pairs.filter(([k]) => k !== "page").length).toBeLessThanOrEqual(1);
  });
});
