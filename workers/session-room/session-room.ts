// SessionRoom: the Durable Object that owns one live remote session (viewers, screen model, policy,
// command log, recording, state machine). The live-session issues fill it in.
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env.ts";

export class SessionRoom extends DurableObject<Bindings> {
  override async fetch(_request: Request): Promise<Response> {
    return Response.json(
      { error: { code: "NOT_FOUND", message: "No live session here", requestId: "do" } },
      { status: 404 },
    );
  }
}
