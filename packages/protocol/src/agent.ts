// Control-link protocol between an agent and the edge (AgentLink DO): JSON text frames, one
// discriminated union per direction on field `t`. The single source of truth for both sides.
import { z } from "zod";
import { type ParseResult, parseFrame } from "./frame";

/** Ids minted by the edge (`ses_…`, request ids): short, printable, safe to log. */
export const WireIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, "must be letters, digits, '.', '_', ':' or '-'");

/** One OpenSSH public key line: `<type> <base64 blob> [comment]`. */
export const OpenSshPublicKeySchema = z
  .string()
  .max(16 * 1024)
  .regex(
    /^[a-z0-9][a-z0-9@.+-]{2,63} [A-Za-z0-9+/]+={0,2}(?: [^\r\n]*)?$/,
    "must be an OpenSSH public key line",
  );

/** OpenSSH's own fingerprint format: SHA-256 of the key blob, unpadded base64. */
export const HostKeyFingerprintSchema = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "must be an OpenSSH SHA256 fingerprint");

export const FailureCodeSchema = z.enum([
  "AUTH_FAILED",
  "CONNECT_FAILED",
  "HOST_KEY_CHANGED",
  "TIMEOUT",
  "PROTOCOL",
  "INTERNAL",
]);
export type FailureCode = z.infer<typeof FailureCodeSchema>;

const message = z.string().max(4096);
const timestamp = z.number().int().nonnegative();
const percent = z.number().min(0).max(100).nullable();
const interval = z
  .number()
  .int()
  .min(1000)
  .max(60 * 60 * 1000);
export const TerminalSizeSchema = z.object({
  cols: z.number().int().min(1).max(1000),
  rows: z.number().int().min(1).max(1000),
});

export const SshAuthSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("password"), password: z.string().max(4096) }),
  z.object({
    type: z.literal("key"),
    privateKey: z
      .string()
      .min(1)
      .max(64 * 1024),
    passphrase: z.string().max(4096).nullable().optional(),
  }),
]);
export type SshAuth = z.infer<typeof SshAuthSchema>;

export const SessionTargetSchema = z.object({
  host: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[^\s/\\@]+$/, "must be a host name or an IP address"),
  port: z.number().int().min(1).max(65535),
  username: z
    .string()
    .min(1)
    .max(256)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    .regex(/^[^\u0000-\u001f\u007f]+$/, "must not contain control characters"),
  auth: SshAuthSchema,
  /** Pinned host key; null or absent = trust on first use (the edge pins what `session.opened` reports). */
  hostKey: OpenSshPublicKeySchema.nullable().optional(),
});
export type SessionTarget = z.infer<typeof SessionTargetSchema>;

// ── agent → edge ────────────────────────────────────────────────────────────────────────────────

export const HelloSchema = z.object({
  t: z.literal("hello"),
  version: z.string().min(1).max(64),
  hostname: z.string().min(1).max(255),
  os: z.string().max(255),
  platform: z.string().max(64),
  arch: z.string().max(64),
  uptimeSec: z.number().nonnegative(),
  /** Sessions whose SSH connection this agent still holds (after a link reconnect). */
  sessions: z.array(WireIdSchema).max(1000),
  /** NOSTROMO_AGENT_NAME, when the operator set one. */
  name: z.string().max(255).nullable().optional(),
  /** The agent's PROTOCOL_VERSION (evolution.ts); absent = 1. */
  protocol: z.number().int().min(1).max(1_000_000).optional(),
});

export const HeartbeatSchema = z.object({
  t: z.literal("heartbeat"),
  ts: timestamp,
  /** Echo of `ping.ts` when this heartbeat answers a ping (lets the edge measure round trips). */
  pingTs: timestamp.optional(),
});

export const MetricsSchema = z.object({
  t: z.literal("metrics"),
  ts: timestamp,
  cpu_load_pct: percent,
  memory_usage_pct: percent,
  disk_usage_pct: percent,
  active_connections: z.number().int().nonnegative(),
  hostname: z.string().max(255),
  os: z.string().max(255),
  uptime_sec: z.number().nonnegative().nullable(),
  agent_version: z.string().max(64),
  memory_total_bytes: z.number().nonnegative().nullable(),
  disk_total_bytes: z.number().nonnegative().nullable(),
});

export const AgentErrorSchema = z.object({
  t: z.literal("error"),
  level: z.enum(["warn", "error"]),
  message,
  context: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

export const SessionOpenedSchema = z.object({
  t: z.literal("session.opened"),
  sessionId: WireIdSchema,
  hostKey: OpenSshPublicKeySchema,
  hostKeyFingerprint: HostKeyFingerprintSchema,
});

export const SessionFailedSchema = z.object({
  t: z.literal("session.failed"),
  sessionId: WireIdSchema,
  code: FailureCodeSchema,
  message,
  hostKeyFingerprint: HostKeyFingerprintSchema.optional(),
});

export const SessionClosedSchema = z.object({
  t: z.literal("session.closed"),
  sessionId: WireIdSchema,
  reason: z.string().max(1024),
  exitCode: z.number().int().nullable().optional(),
});

export const ExecResultSchema = z.object({
  t: z.literal("exec.result"),
  requestId: WireIdSchema,
  output: z.string(),
  exitCode: z.number().int().nullable(),
  signal: z.string().max(64).nullable(),
  durationMs: z.number().nonnegative(),
  truncated: z.boolean(),
});

/** One exec.output frame carries at most this many characters (≤ 64 KiB of UTF-8 even when JSON escapes
 * every character sixfold: far under MAX_FRAME_BYTES). */
export const EXEC_OUTPUT_CHUNK_CHARS = 16 * 1024;
/** What one streamed command may send as exec.output frames in all; the rest is only in its result. */
export const EXEC_STREAM_MAX_BYTES = 8 * 1024 * 1024;

/** Output of a command whose exec.request asked for `stream`, sent as it arrives (before its result). */
export const ExecOutputSchema = z.object({
  t: z.literal("exec.output"),
  requestId: WireIdSchema,
  /** 0, 1, 2… per request: the edge drops a frame that does not come after the last one it forwarded. */
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  stream: z.enum(["stdout", "stderr"]),
  data: z.string().min(1).max(EXEC_OUTPUT_CHUNK_CHARS),
});
export type ExecOutputFrame = z.infer<typeof ExecOutputSchema>;

export const ExecFailedSchema = z.object({
  t: z.literal("exec.failed"),
  requestId: WireIdSchema,
  code: FailureCodeSchema,
  message,
});

/** The answer to `probe.request`: whether TCP to host:port opened, and what the server said first (base64 of at
 * most 64 bytes read within a second; absent when it said nothing — RDP servers wait for the client). */
export const ProbeResultSchema = z.object({
  t: z.literal("probe.result"),
  requestId: WireIdSchema,
  ok: z.boolean(),
  message,
  durationMs: z.number().nonnegative(),
  greeting: z
    .string()
    .max(88)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64")
    .optional(),
});
export type ProbeResultFrame = z.infer<typeof ProbeResultSchema>;

export const AgentFrameSchema = z.discriminatedUnion("t", [
  HelloSchema,
  HeartbeatSchema,
  MetricsSchema,
  AgentErrorSchema,
  SessionOpenedSchema,
  SessionFailedSchema,
  SessionClosedSchema,
  ExecResultSchema,
  ExecOutputSchema,
  ExecFailedSchema,
  ProbeResultSchema,
]);
export type AgentFrame = z.infer<typeof AgentFrameSchema>;
export type HelloFrame = z.infer<typeof HelloSchema>;
export type MetricsFrame = z.infer<typeof MetricsSchema>;
export type AgentErrorFrame = z.infer<typeof AgentErrorSchema>;

// ── edge → agent ────────────────────────────────────────────────────────────────────────────────

export const HelloAckSchema = z.object({
  t: z.literal("hello.ack"),
  agentId: z.string().min(1).max(128),
  heartbeatIntervalMs: interval,
  metricsIntervalMs: interval.optional(),
  /** The edge's PROTOCOL_VERSION (evolution.ts); absent = 1. */
  protocol: z.number().int().min(1).max(1_000_000).optional(),
});

export const SessionOpenSchema = z.object({
  t: z.literal("session.open"),
  sessionId: WireIdSchema,
  /** A path on NOSTROMO_URL (never an absolute URL, so the data token cannot be sent elsewhere). */
  dataUrl: z
    .string()
    .max(2048)
    .regex(/^\/(?!\/)[^\s\\]*$/, "must be an absolute path such as /api/remote-sessions/<id>/agent"),
  dataToken: z.string().min(1).max(4096).regex(/^\S+$/, "must not contain whitespace"),
  target: SessionTargetSchema,
  cols: TerminalSizeSchema.shape.cols,
  rows: TerminalSizeSchema.shape.rows,
  /** Always "xterm-256color" today; any terminfo-safe name is accepted. */
  term: z.string().regex(/^[A-Za-z0-9._+-]{1,64}$/, "must be a terminal type such as xterm-256color"),
  shellIntegration: z.boolean(),
  /** Per-session key the shell integration puts in every OSC 133 mark (docs/execution-guard.md). Never
   * shown to viewers, never recorded, never logged; present = the edge answers the guard's E marks. */
  markKey: z
    .string()
    .regex(/^[A-Za-z0-9_-]{32,128}$/, "must be 32 to 128 base64url characters")
    .optional(),
});
export type SessionOpenFrame = z.infer<typeof SessionOpenSchema>;

export const SessionCloseSchema = z.object({
  t: z.literal("session.close"),
  sessionId: WireIdSchema,
  reason: z.string().max(1024),
});

export const ExecRequestSchema = z.object({
  t: z.literal("exec.request"),
  requestId: WireIdSchema,
  target: SessionTargetSchema,
  command: z
    .string()
    .min(1)
    .max(64 * 1024),
  timeoutMs: z
    .number()
    .int()
    .min(100)
    .max(60 * 60 * 1000),
  /** Capped so that the `exec.result` frame stays under MAX_FRAME_BYTES even after JSON escaping. */
  maxOutputBytes: z
    .number()
    .int()
    .min(1)
    .max(64 * 1024),
  /** Send the output as exec.output frames while the command runs (the result still carries it). An older
   * agent drops the field and only answers the result. */
  stream: z.boolean().optional(),
});
export type ExecRequestFrame = z.infer<typeof ExecRequestSchema>;

/** Open a TCP tunnel (docs/tunnels.md): the agent dials the data socket; its streams go to host:port.
 * Answered like a session: `session.failed` (data socket refused) or, at the end, `session.closed`. */
export const TunnelOpenSchema = z.object({
  t: z.literal("tunnel.open"),
  sessionId: WireIdSchema,
  dataUrl: z
    .string()
    .max(2048)
    .regex(/^\/(?!\/)[^\s\\]*$/, "must be an absolute path such as /api/remote-sessions/<id>/agent"),
  dataToken: z.string().min(1).max(4096).regex(/^\S+$/, "must not contain whitespace"),
  host: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[^\s/\\@]+$/, "must be a host name or an IP address"),
  port: z.number().int().min(1).max(65535),
});
export type TunnelOpenFrame = z.infer<typeof TunnelOpenSchema>;

/** Open a telnet terminal session (docs/agent.md, Telnet): the agent connects TCP to host:port, speaks the
 * telnet protocol, and carries the terminal bytes on the data socket like an SSH shell's. No credential:
 * the user logs in at the server's own prompts. Answered by `session.failed`, or `ready` on the data
 * socket, and `session.closed` at the end. */
export const TelnetOpenSchema = z.object({
  t: z.literal("telnet.open"),
  sessionId: WireIdSchema,
  dataUrl: SessionOpenSchema.shape.dataUrl,
  dataToken: SessionOpenSchema.shape.dataToken,
  host: SessionTargetSchema.shape.host,
  port: SessionTargetSchema.shape.port,
  cols: TerminalSizeSchema.shape.cols,
  rows: TerminalSizeSchema.shape.rows,
  term: SessionOpenSchema.shape.term,
});
export type TelnetOpenFrame = z.infer<typeof TelnetOpenSchema>;

/** Open an RDP session for the browser (docs/live-sessions.md, RDP): the agent dials the data socket and
 * is the browser client's RDCleanPath proxy towards host:port (the destination the client names is
 * ignored). Answered by `session.failed`, or `ready` on the data socket, and `session.closed` at the end. */
export const RdpOpenSchema = TunnelOpenSchema.extend({ t: z.literal("rdp.open") });
export type RdpOpenFrame = z.infer<typeof RdpOpenSchema>;
/** Open a VNC session (docs/agent.md, VNC sessions): a tunnel whose streams are RFB connections, one per
 * browser participant. The agent answers the VNC server's authentication itself with `password` (security
 * type 2, or type 1 when `password` is null and the server offers it); each stream carries RFB from
 * ClientInit / ServerInit on. A frame of its own (not a field of `tunnel.open`): an older agent that
 * stripped the field would hand the browser the server's own handshake. */
export const VncOpenSchema = TunnelOpenSchema.extend({
  t: z.literal("vnc.open"),
  password: z.string().max(1024).nullable(),
});
export type VncOpenFrame = z.infer<typeof VncOpenSchema>;

/** Connection test (`POST /api/connections/:id/test`): can the agent open TCP to host:port? */
export const ProbeRequestSchema = z.object({
  t: z.literal("probe.request"),
  requestId: WireIdSchema,
  host: SessionTargetSchema.shape.host,
  port: SessionTargetSchema.shape.port,
  timeoutMs: z.number().int().min(100).max(30_000),
});
export type ProbeRequestFrame = z.infer<typeof ProbeRequestSchema>;

export const PingSchema = z.object({ t: z.literal("ping"), ts: timestamp });

export const RevokedSchema = z.object({ t: z.literal("revoked"), reason: z.string().max(1024) });

export const EdgeFrameSchema = z.discriminatedUnion("t", [
  HelloAckSchema,
  SessionOpenSchema,
  SessionCloseSchema,
  ExecRequestSchema,
  PingSchema,
  RevokedSchema,
  TunnelOpenSchema,
  TelnetOpenSchema,
  RdpOpenSchema,
  ProbeRequestSchema,
  VncOpenSchema,
]);
export type EdgeFrame = z.infer<typeof EdgeFrameSchema>;

/** Parses a frame the agent sent (edge side). Never throws. */
export function parseAgentFrame(data: unknown): ParseResult<AgentFrame> {
  return parseFrame(AgentFrameSchema, data);
}

/** Parses a frame the edge sent (agent side). Never throws. */
export function parseEdgeFrame(data: unknown): ParseResult<EdgeFrame> {
  return parseFrame(EdgeFrameSchema, data);
}

// ── frame types known to this version (protocol evolution: anything else is ignored, not garbage) ──

export const AGENT_FRAME_TYPES: ReadonlySet<string> = new Set(
  AgentFrameSchema.options.map((o) => o.shape.t.value),
);
export const EDGE_FRAME_TYPES: ReadonlySet<string> = new Set(
  EdgeFrameSchema.options.map((o) => o.shape.t.value),
);

export function encodeAgentFrame(frame: AgentFrame): string {
  return JSON.stringify(frame);
}

export function encodeEdgeFrame(frame: EdgeFrame): string {
  return JSON.stringify(frame);
}
