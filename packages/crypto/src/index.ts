// Public surface of the crypto shared by the edge Worker, the agent and the database scripts: base64 and
// small primitives, the Secret wrapper, envelope encryption (tenant data keys under the master key).
export * from "./encoding.ts";
export * from "./envelope.ts";
export * from "./secret.ts";
