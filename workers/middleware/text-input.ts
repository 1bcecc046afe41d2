// Every text input checked at the edge, in one place: the path, the query string and JSON bodies (keys
// and values, at any depth) must be storable by PostgreSQL — no NUL, no lone surrogate, valid UTF-8, not
// absurdly nested. Otherwise 400 VALIDATION_ERROR naming the field, before authentication and before any
// route writes anything. A body that is not JSON is left to the route (INVALID_JSON / 415).
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import {
  findUnstorable,
  findUnstorablePath,
  findUnstorableQuery,
  type TextProblem,
} from "../lib/storable-text.ts";

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function refuse(where: string, p: TextProblem): never {
  throw new ApiError("VALIDATION_ERROR", `${where} failed validation`, {
    fields: [{ path: p.path, message: p.message, code: "invalid_string" }],
  });
}

export const textInput = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const url = new URL(c.req.url);
    const inPath = findUnstorablePath(url.pathname);
    if (inPath) refuse("Path", inPath);
    const inQuery = findUnstorableQuery(url.search);
    if (inQuery) refuse("Query parameters", inQuery);
    const type = c.req.header("content-type") ?? "";
    if (c.req.raw.body && JSON_TYPE.test(type.trim())) {
      const bytes = await c.req.arrayBuffer();
      let text: string;
      try {
        text = utf8.decode(bytes);
      } catch {
        refuse("Request body", { path: "", message: "is not valid UTF-8" });
      }
      // Routes read the body again through c.req.text()/json(): hand them the decoded text (Hono keeps
      // promises in its body cache, though its type says otherwise).
      (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve(text);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const problem = parsed === undefined ? null : findUnstorable(parsed);
      if (problem) refuse("Request body", problem);
    }
    await next();
  });
