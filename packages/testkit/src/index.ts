// Public surface of @nostromo/testkit: what tests, benchmarks and the local demo stack share to drive a
// running stack — a real sshd, the agent as a process, a small HTTP client, a recording viewer and the
// live-session set-up. Node only; never shipped.
export { type AgentProcess, ROOT, startAgent } from "./agent-process.ts";
export { Http } from "./http.ts";
export {
  agentConnection,
  agentOnline,
  DEMO_ADMIN,
  enrollmentToken,
  liveTarget,
  sshdConnection,
} from "./live-target.ts";
export * from "./sshd.ts";
export { Viewer } from "./viewer.ts";
export { startVnc, type VncServer } from "./vnc.ts";
export { waitFor } from "./wait.ts";
export * from "./xrdp.ts";
