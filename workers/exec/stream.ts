// The streamed answer of POST /api/connections/:id/exec (`Accept: application/x-ndjson`): the command is
// checked, recorded and audited exactly as for the JSON answer (service.ts); a refusal, an unknown
// connection or an offline agent is still an ordinary error status, since it is known before the command
// is sent. Once the agent has the command, the answer is 200 and one ExecStreamEvent per line: `start`
// (the command record), `output` as the agent sends it, and `exit`, or `error` with the error code of a
// run that failed (TARGET_AUTH_FAILED, GATEWAY_TIMEOUT, AGENT_OFFLINE…).
// The body outlives the handler, so it has databases of its own (the request's are closed when the handler
// returns), and the outcome is written even if the caller hangs up (waitUntil).
import type { Context } from "hono";
import { type ExecEvent, readExecEvents } from "../agent-link/execs.ts";
import { Databases } from "../db/databases.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { requestTenant, type TenantContext } from "../tenancy/context.ts";
import { EXEC_STREAM_MEDIA, type ExecBody, type ExecStreamEvent } from "./schemas.ts";
import {
  agentLinkOf,
  type Caller,
  type ExecRun,
  execUndelivered,
  finishExec,
  prepareExec,
} from "./service.ts";

/** The client asked for the streamed answer. */
export function wantsStream(accept: string | undefined): boolean {
  return (accept ?? "").toLowerCase().includes(EXEC_STREAM_MEDIA);
}

const encoder = new TextEncoder();

export async function execStream(
  c: Context<AppEnv>,
  caller: Caller,
  connectionId: string,
  body: ExecBody,
): Promise<Response> {
  const databases = Databases.forRequest(c.env);
  let ctx: TenantContext;
  let run: ExecRun;
  let events: ReadableStream<Uint8Array>;
  try {
    const base = requestTenant(c);
    ctx = { ...base, db: await databases.tenantDb(base.tenant), control: databases.controlDb };
    run = await prepareExec(ctx, caller, connectionId, body);
    events = (await agentLinkOf(ctx, run).execStream(run.frame)) ?? (await execUndelivered(ctx, run));
  } catch (err) {
    await databases.close();
    throw err;
  }
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  // The caller may have hung up: its lines are then dropped, the outcome is still written.
  const write = (e: ExecStreamEvent) =>
    writer.write(encoder.encode(`${JSON.stringify(e)}\n`)).catch(() => {});
  const relay = async () => {
    let streamed = false;
    let end: Extract<ExecEvent, { k: "end" }> | null = null;
    try {
      write({ type: "start", command_id: run.commandId });
      try {
        for await (const e of readExecEvents(events)) {
          if (e.k === "end") end = e;
          else {
            streamed = true;
            write({ type: "output", stream: e.stream, data: e.data });
          }
        }
      } catch (err) {
        logError("exec stream from the agent link broke off", err);
      }
      try {
        const r = await finishExec(ctx, caller, run, end?.outcome ?? null);
        // An agent that does not stream yet sends the output only in its result.
        if (!streamed && r.output) write({ type: "output", stream: "stdout", data: r.output });
        write({
          type: "exit",
          command_id: r.command_id,
          exit_code: r.exit_code,
          duration_ms: r.duration_ms,
          truncated: r.truncated,
        });
      } catch (err) {
        const e =
          err instanceof ApiError ? err : new ApiError("INTERNAL_ERROR", "The command's outcome was lost");
        if (!(err instanceof ApiError)) logError("exec outcome write failed", err);
        write({
          type: "error",
          error: {
            code: e.code,
            message: e.message,
            ...(e.details === undefined ? {} : { details: e.details }),
          },
        });
      }
    } finally {
      await databases.close();
      writer.close().catch(() => {});
    }
  };
  c.executionCtx.waitUntil(relay());
  return new Response(readable, {
    headers: {
      "content-type": `${EXEC_STREAM_MEDIA}; charset=utf-8`,
      "cache-control": "no-store",
      "x-request-id": c.var.requestId,
    },
  });
}

function logError(msg: string, err: unknown): void {
  console.error(JSON.stringify({ level: "error", msg, error: String(err) }));
}
