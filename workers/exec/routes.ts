// POST /api/connections/:id/exec (mounted beside /api/connections): guards and the contract; the work in
// service.ts (one JSON answer when the command ended) or stream.ts (NDJSON while it runs, when the client's
// Accept asks for application/x-ndjson). Needs the tenant's exec feature and session:start.

import { Permission } from "@nostromo/permissions";
import { Hono } from "hono";
import { currentUser, requirePermission } from "../auth/guard.ts";
import { op } from "../contract/op.ts";
import type { AppEnv } from "../env.ts";
import { idParam, readJson } from "../lib/validate.ts";
import { requestTenant } from "../tenancy/context.ts";
import { FEATURES } from "../tenancy/features.ts";
import { requireFeature } from "../tenancy/resolver.ts";
import { EXEC_STREAM_MEDIA, ExecBody, ExecResult, ExecStreamEvent } from "./schemas.ts";
import { runExec } from "./service.ts";
import { execStream, wantsStream } from "./stream.ts";

export const execRoutes = new Hono<AppEnv>().post(
  "/:id/exec",
  op({
    tag: "Connections",
    summary: "Run one command on the connection's server",
    description:
      "Checked by the organization's policies first (a refusal is 403 with command_id, decision, rule and " +
      "risk_level); run through the connection's agent; kept as a command record of an exec-only session. " +
      "A failed run answers TARGET_AUTH_FAILED, TARGET_UNREACHABLE or GATEWAY_TIMEOUT with its command_id.\n\n" +
      `With \`Accept: ${EXEC_STREAM_MEDIA}\` the output is streamed while the command runs: one ExecStreamEvent ` +
      "per line — `start` (command_id), `output` (stdout/stderr as it arrives), then `exit` (exit_code) or " +
      "`error` (the code of a failed run). What is known before the command is sent (a policy refusal, an " +
      "unknown connection, an offline agent) is still an error status with the error body.",
    access: "session:start, with the exec feature",
    body: ExecBody,
    responses: {
      200: {
        json: ExecResult,
        stream: {
          media: EXEC_STREAM_MEDIA,
          line: ExecStreamEvent,
          description: "one ExecStreamEvent per line",
        },
      },
    },
    errors: [
      "FORBIDDEN",
      "FEATURE_DISABLED",
      "NOT_FOUND",
      "VALIDATION_ERROR",
      "INVALID_STATE",
      "AGENT_OFFLINE",
      "TARGET_AUTH_FAILED",
      "TARGET_UNREACHABLE",
      "GATEWAY_TIMEOUT",
    ],
  }),
  requireFeature(FEATURES.EXEC),
  requirePermission(Permission.START_SESSION),
  async (c) => {
    const u = currentUser(c);
    const id = idParam(c);
    const body = await readJson(c, ExecBody);
    if (wantsStream(c.req.header("accept"))) return execStream(c, u, id, body);
    return c.json(await runExec(requestTenant(c), u, id, body));
  },
);
