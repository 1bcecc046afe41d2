// Transitional: the SessionRoom imports the compiled policy set from here. Its home is
// workers/policies/compiled.ts; this line goes when workers/session-room imports from there.
export { loadCompiledPolicies } from "./policies/compiled.ts";
