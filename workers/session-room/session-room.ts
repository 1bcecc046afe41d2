// SessionRoom: the Durable Object that owns one live remote session (viewers, screen model, policy,
// command log, recording, state machine). The live-session issues fill it in; the kill-switch hook is here.
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env.ts";
import { KILLED_CLOSE_CODE, type LiveObject, loginTag } from "../live/login-sockets.ts";

export class SessionRoom extends DurableObject<Bindings> implements LiveObject {
  override async fetch(_request: Request): Promise<Response> {
    return Response.json(
      { error: { code: "NOT_FOUND", message: "No live session here", requestId: "do" } },
      { status: 404 },
    );
  }

  async closeLogin(loginId: string, reason: string): Promise<number> {
    const sockets = this.ctx.getWebSockets(loginTag(loginId));
    for (const ws of sockets) ws.close(KILLED_CLOSE_CODE, reason.slice(0, 100));
    return sockets.length;
  }
}
