// AgentLink: the Durable Object holding one installed agent's control socket (heartbeats, metrics,
// session dispatch). The agent issue fills it in.
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env.ts";

export class AgentLink extends DurableObject<Bindings> {
  override async fetch(_request: Request): Promise<Response> {
    return Response.json(
      { error: { code: "NOT_FOUND", message: "Agent not connected", requestId: "do" } },
      { status: 404 },
    );
  }
}
