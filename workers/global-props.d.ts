// Tells the runtime types what the main module exports (typed `exports` from cloudflare:workers in tests)
// and which secrets the Worker receives besides wrangler.toml's bindings.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./index.ts");
  }
  interface Env {
    NOSTROMO_VERSION: string;
    ENVIRONMENT: string;
    SESSION_ROOM: DurableObjectNamespace<import("./session-room/session-room.ts").SessionRoom>;
    AGENT_LINK: DurableObjectNamespace<import("./agent-link/agent-link.ts").AgentLink>;
    RECORDINGS: R2Bucket;
    DATABASE_URL: string;
    NEON_WS_PROXY?: string;
    DB_ENCRYPTION_KEY: string;
    DB_ENCRYPTION_KEY_PREVIOUS?: string;
    PLATFORM_HOSTS?: string;
  }
}

interface Env extends Cloudflare.Env {}
