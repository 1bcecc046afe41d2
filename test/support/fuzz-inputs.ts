// Bad input derived from the API's own OpenAPI document, for the fuzz suite: for every operation, the
// path and query parameters and the JSON body's fields come from the document (types, enums, formats,
// ranges, lengths, required flags), and each field gets values that break its schema — wrong types,
// values outside the enum or range, too long or too short, NUL and lone surrogates, huge strings and
// numbers, deep nesting, unknown ids and the other tenant's ids — next to values that fit it, so a
// request with one bad field among good ones reaches the handler's own checks. Hand-written because the
// packages looked at do not fit: json-schema-fast-check builds valid instances only, on fast-check 1;
// openapi-fuzzer-core is a small Swagger-style boundary-value generator outside fast-check (no seed,
// no shrinking, no per-request replay).
import fc from "fast-check";

export interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  anyOf?: Schema[];
}
export interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}
export interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
}
export interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}
export interface Context {
  doc: Doc;
  /** Ids of tenant A's own rows (the caller's tenant): updates and deletes of real rows are fuzzed too. */
  idsOfA: string[];
  /** Ids of tenant B's rows: they must be as unknown as random ones. */
  idsOfB: string[];
  /** Whether strings may carry characters the database cannot store (NUL, lone surrogates). */
  poisoned: boolean;
}
/** One generated request's parts; `body` is the raw text sent (malformed JSON included). */
export interface FuzzRequest {
  path: Record<string, string>;
  query: [string, string][];
  body: string | undefined;
}

const DEEP = /"__fuzz_deep_(\d+)__"/g;
/** Nesting too deep to build as a value: a marker that toJson() expands into n brackets. */
const deep = fc.integer({ min: 40, max: 20_000 }).map((n) => `__fuzz_deep_${n}__`);
const expand = (text: string) => text.replace(DEEP, (_, n) => `${"[".repeat(+n)}${"]".repeat(+n)}`);
export const toJson = (v: unknown) => expand(JSON.stringify(v) ?? "null");

const poison = fc.constantFrom("\u0000", "a\u0000b", "\ud800", "x\udc00y");
const poisonedString = fc.oneof(
  poison,
  fc.string({
    unit: fc.oneof(
      fc.constantFrom("\u0000", "\ud800", "\udfff"),
      fc.string({ unit: "binary", maxLength: 1 }),
    ),
    minLength: 1,
    maxLength: 20,
  }),
);
const odd = fc.constantFrom(
  "x".repeat(300_000 / 4),
  "9".repeat(400),
  "1e400",
  "-1",
  "NaN",
  "' or 1=1--",
  "../../etc/passwd",
  "%",
  "",
);
const cleanString = fc.oneof(
  { arbitrary: odd, weight: 2 },
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 20 }).filter((x) => !x.includes("\u0000")),
);
export const weirdString = (ctx: Context) =>
  ctx.poisoned ? fc.oneof(cleanString, poisonedString) : cleanString;
const weirdNumber = fc.oneof(
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -0, 0.5, 2 ** 31, -(2 ** 31) - 1),
  fc.integer(),
  fc.double({ noNaN: true }),
);
export const badPercent = fc.constantFrom("%00", "%ED%A0%80", "%FF", "%E0%A4%A", "a%00b");

function resolve(doc: Doc, s: Schema | undefined): Schema {
  if (!s?.$ref) return s ?? {};
  return resolve(doc, doc.components?.schemas?.[s.$ref.replace("#/components/schemas/", "")]);
}
function typesOf(doc: Doc, s: Schema): string[] {
  if (s.anyOf) return s.anyOf.flatMap((b) => typesOf(doc, resolve(doc, b)));
  if (Array.isArray(s.type)) return s.type;
  return s.type ? [s.type] : [];
}

/** Any JSON value, of any type, at small depth — what a wrong-typed field or a stray body carries. */
function anyValue(ctx: Context): fc.Arbitrary<unknown> {
  const str = weirdString(ctx);
  return fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      str,
      weirdNumber,
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("v"), { maxLength: 3 }),
      fc.dictionary(str, tie("v"), { maxKeys: 4 }),
    ),
  })).v;
}

function validString(ctx: Context, s: Schema): fc.Arbitrary<string> {
  if (s.format === "uuid") return fc.constantFrom(...ctx.idsOfA);
  if (s.format === "email") return fc.emailAddress();
  if (s.format === "uri") return fc.webUrl();
  if (s.format === "date-time") return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  if (s.pattern) {
    try {
      return fc.stringMatching(new RegExp(s.pattern));
    } catch {
      // A pattern fast-check cannot generate from: plain strings then.
    }
  }
  const minLength = s.minLength ?? 0;
  return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(s.maxLength ?? 40, 40)) });
}

/** A value that fits the schema (roughly: patterns and formats where fast-check can follow them). */
export function valid(ctx: Context, schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(ctx.doc, schema);
  if (s.anyOf) return fc.oneof(...s.anyOf.map((b) => valid(ctx, b, depth)));
  if (s.enum) return fc.constantFrom(...s.enum);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case "string":
      return validString(ctx, s);
    case "integer":
      return fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 1000 });
    case "number":
      return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 1000, noNaN: true });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return fc.array(valid(ctx, s.items, depth + 1), { maxLength: Math.min(s.maxItems ?? 3, 3) });
    case "object":
      return depth > 3 ? fc.constant({}) : validObject(ctx, s, depth);
    default:
      return anyValue(ctx);
  }
}

function validObject(ctx: Context, s: Schema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const props = s.properties ?? {};
  const model = Object.fromEntries(Object.entries(props).map(([k, p]) => [k, valid(ctx, p, depth + 1)]));
  return fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
}

/** A value that breaks the schema: another type, outside the enum, range or length, poison, nesting. */
export function bad(ctx: Context, schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(ctx.doc, schema);
  const types = typesOf(ctx.doc, s);
  const wrongType = anyValue(ctx).filter((v) => !types.includes(jsonType(v)));
  const out: fc.Arbitrary<unknown>[] = [wrongType, deep, weirdNumber, weirdString(ctx)];
  if (s.enum) {
    const first = String(s.enum[0]);
    out.push(
      fc.constantFrom(first.toUpperCase(), ` ${first}`, `${first}x`).filter((v) => !s.enum?.includes(v)),
    );
  }
  if (types.includes("integer") || types.includes("number")) {
    const edges = [1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -0.5];
    if (s.minimum !== undefined) edges.push(s.minimum - 1);
    if (s.maximum !== undefined) edges.push(s.maximum + 1);
    if (types.includes("integer")) edges.push(0.5, (s.minimum ?? 0) + 0.5);
    out.push(fc.constantFrom(...edges), fc.constantFrom("1", "NaN", "1e400", "9".repeat(400)));
  }
  if (types.includes("string")) {
    const lengths = [75_000, ...(s.maxLength !== undefined ? [s.maxLength + 1] : [])];
    if ((s.minLength ?? 0) > 0) out.push(fc.constant("x".repeat((s.minLength ?? 1) - 1)));
    out.push(fc.constantFrom(...lengths).map((n) => "x".repeat(n)));
    if (s.format === "uuid" || s.pattern)
      out.push(fc.constantFrom(...ctx.idsOfB), fc.uuid(), fc.constantFrom("not-a-uuid", "00000000-0000"));
  }
  if (types.includes("array")) {
    const tooMany = (s.maxItems ?? 200) + 1;
    out.push(fc.array(valid(ctx, s.items, depth + 1), { minLength: tooMany, maxLength: tooMany }));
    if (depth < 3) out.push(fc.array(bad(ctx, s.items, depth + 1), { minLength: 1, maxLength: 3 }));
  }
  if (types.includes("object") && depth < 3) out.push(badObject(ctx, s, depth + 1));
  return fc.oneof(...out);
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** An object that breaks its schema in one way: a bad field, a missing required one, an unknown one. */
export function badObject(ctx: Context, s: Schema, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const props = Object.keys(s.properties ?? {});
  const required = (s.required ?? []).filter((k) => props.includes(k));
  const base = validObject(ctx, s, depth);
  const ways: fc.Arbitrary<Record<string, unknown>>[] = [
    fc.record({ o: base, k: weirdString(ctx), v: anyValue(ctx) }).map(({ o, k, v }) => ({ ...o, [k]: v })),
  ];
  if (props.length > 0) {
    const oneBad = fc
      .constantFrom(...props)
      .chain((k) =>
        fc.record({ o: base, v: bad(ctx, s.properties?.[k], depth) }).map(({ o, v }) => ({ ...o, [k]: v })),
      );
    const mixed = fc.record(
      Object.fromEntries(
        props.map((k) => [
          k,
          fc.oneof(valid(ctx, s.properties?.[k], depth), bad(ctx, s.properties?.[k], depth)),
        ]),
      ),
      { requiredKeys: [] },
    );
    ways.push(oneBad, oneBad, mixed);
  }
  if (required.length > 0) {
    const missing = fc
      .constantFrom(...required)
      .chain((k) => base.map((o) => Object.fromEntries(Object.entries(o).filter(([key]) => key !== k))));
    ways.push(missing);
  }
  return fc.oneof(...ways);
}

/** The body's raw text: malformed JSON, another JSON type, deep nesting, or an object built from the schema. */
export function body(ctx: Context, o: Operation): fc.Arbitrary<string> {
  const schema = resolve(ctx.doc, o.requestBody?.content?.["application/json"]?.schema);
  const malformed = fc.constantFrom(
    '{"a":',
    "{",
    "[1,",
    "nul",
    '{"name": "x"',
    ...(ctx.poisoned ? ["\u0000", '{"name":"\\ud800"}', '{"a":"\\u0000"}'] : []),
  );
  const raw = fc.oneof(
    malformed,
    deep.map(expand),
    deep.map((d) => expand(`{"settings":"${d}"}`)),
  );
  const stray = anyValue(ctx).map(toJson);
  if (!o.requestBody || !schema.properties) return fc.oneof(raw, stray);
  return fc.oneof(
    { arbitrary: validObject(ctx, schema, 0).map(toJson), weight: 1 },
    { arbitrary: badObject(ctx, schema).map(toJson), weight: 4 },
    { arbitrary: raw, weight: 1 },
    { arbitrary: stray, weight: 1 },
  );
}

function asQueryValue(v: unknown): string {
  if (typeof v === "string") return /^__fuzz_deep_\d+__$/.test(v) ? expand(`"${v}"`) : v;
  return typeof v === "object" && v !== null ? toJson(v) : String(v);
}

/** The query string's pairs: each documented parameter absent, fitting or bad, and at times an unknown one. */
export function query(ctx: Context, params: Parameter[]): fc.Arbitrary<[string, string][]> {
  const named = params.map((p) =>
    fc
      .option(fc.oneof(valid(ctx, p.schema), bad(ctx, p.schema), bad(ctx, p.schema)), {
        nil: undefined,
        freq: 2,
      })
      .map((v): [string, string][] => (v === undefined ? [] : [[p.name, asQueryValue(v)]])),
  );
  const unknown = fc.oneof(
    { arbitrary: fc.constant<[string, string][]>([]), weight: 3 },
    { arbitrary: fc.tuple(weirdString(ctx), weirdString(ctx)).map((kv) => [kv]), weight: 1 },
  );
  return fc.tuple(unknown, ...named).map((parts) => parts.flat());
}

/** Percent-encodes a value; lone surrogates cannot go through encodeURIComponent: their escapes then. */
export function encode(v: string): string {
  try {
    return encodeURIComponent(v);
  } catch {
    return "%ED%A0%80";
  }
}

/** A path parameter, encoded: tenant A's ids, tenant B's, unknown uuids, and values that break the schema. */
export function pathParam(ctx: Context, p: Parameter): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...ctx.idsOfB),
    fc.constantFrom(...ctx.idsOfA),
    fc.uuid(),
    bad(ctx, p.schema).map((v) => encode(asQueryValue(v))),
    ...(ctx.poisoned ? [badPercent] : []),
  );
}
