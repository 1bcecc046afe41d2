// The API's contract served: GET /api/openapi.json (OpenAPI 3.1, generated from the mounted route tree and
// each route's op() declaration) and GET /api/docs, the reference page (Scalar, self-hosted: its bundle is
// a static asset under /vendor/scalar/ — no CDN, many customers' networks have no internet).
import { Hono } from "hono";
import { generateSpecs } from "hono-openapi";
import { z } from "zod";
import type { AppEnv } from "../env.ts";
import { op } from "./op.ts";

const TITLE = "Nostromo API";

const DESCRIPTION = `Multi-tenant secure remote access. JSON fields are snake_case (the seed's data model), except the
orchestrator seed's own provisioning example, kept verbatim. Lists answer \`{ data, pagination: { page, page_size,
total } }\` and take \`?page=&page_size=\`. Every error answers \`{ error: { code, message, request_id, details? } }\`
with a stable code. A tenant is named by subdomain, the \`X-Tenant-ID\` header or \`?tenantId=\`. Browsers sign in
with the \`sid\` cookie (state-changing requests then need the \`X-CSRF-Token\` header); API clients send
\`Authorization: Bearer <token>\`.`;

const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${TITLE} — reference</title>
</head>
<body>
<script id="api-reference" data-url="/api/openapi.json" data-configuration='{"withDefaultFonts":false,"hideClientButton":true}'></script>
<script src="/vendor/scalar/standalone.js"></script>
</body>
</html>`;

const OpenApiDocument = z.object({
  openapi: z.string(),
  info: z.object({ title: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

/** The document for `app` (generated once per isolate: the route tree does not change while it runs). */
export function documentRoutes(app: Hono<AppEnv>) {
  let cached: Promise<unknown> | undefined;
  const generate = (version: string) =>
    generateSpecs(app, {
      excludeStaticFile: false,
      documentation: {
        openapi: "3.1.0",
        info: { title: TITLE, version, description: DESCRIPTION },
        components: {
          securitySchemes: {
            sid: { type: "apiKey", in: "cookie", name: "sid" },
            bearer: { type: "http", scheme: "bearer" },
          },
        },
        security: [{ sid: [] }, { bearer: [] }],
      },
    });
  return new Hono<AppEnv>()
    .get(
      "/openapi.json",
      op({
        tag: "Meta",
        summary: "This API's OpenAPI 3.1 document",
        access: "public",
        responses: { 200: OpenApiDocument },
      }),
      async (c) => {
        cached ??= generate(c.env.NOSTROMO_VERSION).catch((err) => {
          cached = undefined;
          throw err;
        });
        return c.json(await cached);
      },
    )
    .get(
      "/docs",
      op({
        tag: "Meta",
        summary: "The API reference page",
        access: "public",
        responses: { 200: { media: "text/html" } },
      }),
      (c) => {
        c.header(
          "content-security-policy",
          "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; connect-src 'self'",
        );
        return c.html(DOCS_HTML);
      },
    );
}
