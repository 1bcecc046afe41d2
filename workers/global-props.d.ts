// Tells the runtime types what the main module exports (typed `exports` from cloudflare:workers in tests).
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./index.ts");
  }
}
