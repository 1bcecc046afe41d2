// op(): how a route states its contract. One call per route, placed before its handler, gives the OpenAPI
// document (through hono-openapi's describeRoute marker, which generateSpecs reads from the app's route
// tree) and, outside production, checks every response the route gives against what it declares: a 2xx
// body against its schema, an error against the error body, an undeclared status as a violation. A
// violation becomes 500 CONTRACT_VIOLATION, so every integration and e2e test is also a contract test.
import type { MiddlewareHandler } from "hono";
import { resolver, uniqueSymbol } from "hono-openapi";
import { z } from "zod";
import type { AppEnv } from "../env.ts";
import { type ErrorCode, errorBody } from "../errors.ts";
import { ErrorBodySchema } from "./schemas.ts";

/** A JSON body, or — when the client's Accept names `media` — a stream of `line` objects, one per line. */
export interface JsonOrStream {
  json: z.ZodType;
  stream: { media: string; line: z.ZodType; description: string };
}

/** What a successful status answers: a JSON schema, no body (`null`), a non-JSON media type, or either a
 * JSON body or a line stream (JsonOrStream). */
export type Answer = z.ZodType | null | { media: string; description?: string } | JsonOrStream | "websocket";

export interface OpSpec {
  /** Groups operations in the reference (e.g. "Connections"). */
  tag: string;
  summary: string;
  description?: string;
  /** Who may call it, for the reader: "connection:read", "super admin", "public"… (the server enforces). */
  access: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  /**
   * Successful statuses only (303: a browser redirect; 307: one that repeats a POST; no body); every
   * error answers the one error body.
   */
  responses: Partial<Record<200 | 201 | 202 | 204 | 101 | 303 | 307, Answer>>;
  /** Error codes worth naming for this operation (all of them share the error body). */
  errors?: ErrorCode[];
}

const json = (schema: z.ZodType) => ({ "application/json": { schema: resolver(schema) } });

interface Parameter {
  name: string;
  in: "query";
  required: boolean;
  schema: unknown;
  description?: string;
}

function parameters(query: z.ZodObject): Parameter[] {
  return Object.entries(query.shape).map(([name, s]) => {
    const field = s as z.ZodType;
    return {
      name,
      in: "query" as const,
      required: !field.safeParse(undefined).success,
      schema: z.toJSONSchema(field, { io: "input", unrepresentable: "any" }),
      ...(field.description ? { description: field.description } : {}),
    };
  });
}

function responseObjects(spec: OpSpec) {
  const out: Record<string, unknown> = {};
  for (const [status, answer] of Object.entries(spec.responses)) {
    if (answer === "websocket") out[status] = { description: "Switching Protocols (WebSocket)" };
    else if (status === "303") out[status] = { description: "See Other (a browser redirect; Location)" };
    else if (status === "307")
      out[status] = { description: "Temporary Redirect (the browser repeats its POST at Location)" };
    else if (answer === null || answer === undefined) out[status] = { description: "No content" };
    else if ("media" in answer) {
      out[status] = {
        description: answer.description ?? answer.media,
        content: { [answer.media]: { schema: { type: "string", format: "binary" } } },
      };
    } else if ("stream" in answer) {
      out[status] = {
        description: `JSON; or, with Accept: ${answer.stream.media}, ${answer.stream.description}`,
        content: { ...json(answer.json), [answer.stream.media]: { schema: resolver(answer.stream.line) } },
      };
    } else out[status] = { description: "OK", content: json(answer) };
  }
  out.default = {
    description: `Error${spec.errors?.length ? `; among others: ${spec.errors.join(", ")}` : ""}`,
    content: json(ErrorBodySchema),
  };
  return out;
}

/** Outside production, the response is checked against the declaration. */
async function violation(spec: OpSpec, res: Response): Promise<string | null> {
  const status = res.status;
  const type = res.headers.get("content-type") ?? "";
  if (status >= 400) {
    if (!type.startsWith("application/json")) return `error ${status} is not JSON`;
    const r = ErrorBodySchema.safeParse(await res.clone().json());
    return r.success ? null : `error body: ${z.prettifyError(r.error)}`;
  }
  const answer = spec.responses[status as keyof OpSpec["responses"]];
  if (answer === undefined) return `status ${status} is not declared`;
  if (answer === null || answer === "websocket" || "media" in answer) return null;
  // A stream is not read here (that would hold it back); its lines are typed where they are written.
  if ("stream" in answer && type.startsWith(answer.stream.media)) return null;
  if (!type.startsWith("application/json")) return `status ${status} is not JSON`;
  const schema = "stream" in answer ? answer.json : answer;
  const r = schema.safeParse(await res.clone().json());
  return r.success ? null : z.prettifyError(r.error);
}

export function op(spec: OpSpec): MiddlewareHandler<AppEnv> {
  const describe: Record<string, unknown> = {
    tags: [spec.tag],
    summary: spec.summary,
    description: [spec.description, `Access: ${spec.access}.`].filter(Boolean).join("\n\n"),
    responses: responseObjects(spec),
  };
  if (spec.query) describe.parameters = parameters(spec.query);
  if (spec.body) describe.requestBody = { required: true, content: json(spec.body) };

  const mw: MiddlewareHandler<AppEnv> = async (c, next) => {
    await next();
    if (c.env.ENVIRONMENT === "production" || c.res.status === 101) return;
    const problem = await violation(spec, c.res);
    if (!problem) return;
    console.error(
      JSON.stringify({
        level: "error",
        msg: "contract violation",
        method: c.req.method,
        path: c.req.routePath,
        problem,
      }),
    );
    c.res = Response.json(
      errorBody("CONTRACT_VIOLATION", `Response breaks the documented contract: ${problem}`, c.var.requestId),
      { status: 500 },
    );
  };
  return Object.assign(mw, { [uniqueSymbol]: { spec: describe } });
}
