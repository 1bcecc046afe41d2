// AgentLink: the Durable Object holding one installed agent's control socket (heartbeats, metrics,
// session dispatch). The agent issue fills it in.
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env.ts";
import type { LiveObject } from "../live/login-sockets.ts";

export class AgentLink extends DurableObject<Bindings> implements LiveObject {
  async closeLogin(_loginId: string, _reason: string): Promise<number> {
    // Agents authenticate with their own credential, never with a login: nothing to close.
    return 0;
  }

  override async fetch(_request: Request): Promise<Response> {
    return Response.json(
      { error: { code: "NOT_FOUND", message: "Agent not connected", requestId: "do" } },
      { status: 404 },
    );
  }
}
