// /api/recordings: the organization's session recordings and their .cast download, for anyone who may
// watch sessions.

import { Permission } from "@nostromo/permissions";
import { type Context, Hono } from "hono";
import { can, currentUser } from "../auth/guard.ts";
import { op } from "../contract/op.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { idParam, readQuery } from "../lib/validate.ts";
import { requestTenant } from "../tenancy/context.ts";
import { Recording, RecordingPage, RecordingQuery } from "./schemas.ts";
import { download, getRecording, listRecordings } from "./service.ts";

const TAG = "Recordings";
const ACCESS = "session:view";

function watcher(c: Context<AppEnv>) {
  if (!can(currentUser(c), Permission.VIEW_SESSION))
    throw new ApiError("FORBIDDEN", "Missing permission: session:view");
  return requestTenant(c);
}

export const recordingsRoutes = new Hono<AppEnv>()
  .get(
    "/",
    op({
      tag: TAG,
      summary: "Recordings within their retention, newest first",
      access: ACCESS,
      query: RecordingQuery,
      responses: { 200: RecordingPage },
      errors: ["FORBIDDEN", "VALIDATION_ERROR"],
    }),
    async (c) => {
      const ctx = watcher(c);
      return c.json(await listRecordings(ctx, readQuery(c, RecordingQuery)));
    },
  )

  .get(
    "/:id",
    op({
      tag: TAG,
      summary: "One recording",
      access: ACCESS,
      responses: { 200: Recording },
      errors: ["FORBIDDEN", "NOT_FOUND"],
    }),
    async (c) => {
      const ctx = watcher(c);
      return c.json(await getRecording(ctx, idParam(c)));
    },
  )

  .get(
    "/:id/download",
    op({
      tag: TAG,
      summary: "The recording as an asciicast v2 file (a VNC session's: its RFB stream, codec rfb)",
      access: `${ACCESS}; the recording must be ready and downloadable`,
      responses: { 200: { media: "application/x-asciicast", description: "asciicast v2 (.cast)" } },
      errors: ["FORBIDDEN", "NOT_FOUND", "INVALID_STATE"],
    }),
    async (c) => {
      const ctx = watcher(c);
      const file = await download(ctx, idParam(c));
      return new Response(file.body, {
        headers: {
          "content-type": file.mimeType,
          "content-disposition": `attachment; filename="${file.fileName}"`,
        },
      });
    },
  );
