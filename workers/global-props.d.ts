// The Worker's bindings, declared once: the configuration (vars and secrets, typed by its zod schema in
// config.ts) plus the Durable Object namespaces and the R2 bucket of wrangler.toml. `Cloudflare.Env` is
// what the runtime types, `cloudflare:test` and `env.ts`'s `Bindings` all read. Also tells the runtime
// types what the main module exports (typed `exports` from cloudflare:workers in tests). A global
// declaration, not a module: the Durable Object classes it names do not import it back.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./index.ts");
  }
  type NostromoConfig = import("./config.ts").Config;
  interface Env extends NostromoConfig {
    SESSION_ROOM: DurableObjectNamespace<import("./session-room/session-room.ts").SessionRoom>;
    AGENT_LINK: DurableObjectNamespace<import("./agent-link/agent-link.ts").AgentLink>;
    VIEWER_RELAY: DurableObjectNamespace<import("./viewer-relay/viewer-relay.ts").ViewerRelay>;
    RECORDINGS: R2Bucket;
  }
}

interface Env extends Cloudflare.Env {}
