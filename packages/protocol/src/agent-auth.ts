// How an agent proves who it is: the enrolment body and the signed control-link upgrade. The
// canonical signing string lives here so that the agent signs and the edge verifies the same bytes.
import { z } from "zod";
import type { ParseResult } from "./frame";

export const AGENT_ENROLL_PATH = "/api/agents/enroll";
export const AGENT_LINK_PATH = "/api/agents/link";

/** Header names of the link upgrade request (HTTP headers are case-insensitive). */
export const AGENT_LINK_HEADERS = {
  agentId: "X-Nostromo-Agent",
  timestamp: "X-Nostromo-Timestamp",
  nonce: "X-Nostromo-Nonce",
  signature: "X-Nostromo-Signature",
} as const;

/** Domain separation: this signature can never be confused with one made for another purpose. */
export const AGENT_LINK_SIGNING_CONTEXT = "nostromo-agent-link";

/** How far the agent's clock may be from the edge's before an upgrade is refused. */
export const AGENT_LINK_MAX_SKEW_MS = 5 * 60 * 1000;

/**
 * The exact text the agent signs with its Ed25519 key:
 * `"nostromo-agent-link\n" + agentId + "\n" + timestamp + "\n" + nonce`.
 * `timestamp` must be the header value as received (decimal milliseconds), not a re-serialised number.
 */
export function agentLinkSigningString(agentId: string, timestamp: string, nonce: string): string {
  return `${AGENT_LINK_SIGNING_CONTEXT}\n${agentId}\n${timestamp}\n${nonce}`;
}

export function agentLinkSigningBytes(agentId: string, timestamp: string, nonce: string): Uint8Array {
  return new TextEncoder().encode(agentLinkSigningString(agentId, timestamp, nonce));
}

export const AgentLinkHeadersSchema = z.object({
  agentId: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._:-]+$/),
  timestamp: z.string().regex(/^\d{1,16}$/, "must be decimal milliseconds since the epoch"),
  /** 16 random bytes, base64url without padding. */
  nonce: z.string().regex(/^[A-Za-z0-9_-]{22}$/, "must be 16 bytes of base64url"),
  /** 64-byte Ed25519 signature, base64url without padding. */
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, "must be a 64-byte base64url signature"),
});
export type AgentLinkHeaders = z.infer<typeof AgentLinkHeadersSchema>;

/** Reads and shape-checks the four upgrade headers; `get` is `headers.get` of a Request or similar. */
export function readAgentLinkHeaders(
  get: (name: string) => string | null | undefined,
): ParseResult<AgentLinkHeaders> {
  const result = AgentLinkHeadersSchema.safeParse({
    agentId: get(AGENT_LINK_HEADERS.agentId) ?? undefined,
    timestamp: get(AGENT_LINK_HEADERS.timestamp) ?? undefined,
    nonce: get(AGENT_LINK_HEADERS.nonce) ?? undefined,
    signature: get(AGENT_LINK_HEADERS.signature) ?? undefined,
  });
  if (result.success) return { ok: true, msg: result.data };
  const issue = result.error.issues[0];
  const field = issue?.path[0] as keyof typeof AGENT_LINK_HEADERS | undefined;
  const header = field !== undefined && field in AGENT_LINK_HEADERS ? AGENT_LINK_HEADERS[field] : "headers";
  return { ok: false, error: `${header}: ${issue?.message ?? "invalid"}` };
}

export function isAgentLinkTimestampFresh(
  timestamp: string,
  nowMs: number,
  maxSkewMs: number = AGENT_LINK_MAX_SKEW_MS,
): boolean {
  const ts = Number(timestamp);
  return Number.isSafeInteger(ts) && Math.abs(nowMs - ts) <= maxSkewMs;
}

// ── enrolment ───────────────────────────────────────────────────────────────────────────────────

export const EnrollRequestSchema = z.object({
  token: z.string().min(1).max(1024),
  /** Raw 32-byte Ed25519 public key, standard padded base64 (44 characters). */
  publicKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, "must be a base64 Ed25519 public key (32 bytes)"),
  hostname: z.string().min(1).max(255),
  version: z.string().min(1).max(64),
  os: z.string().max(255),
  name: z.string().max(255).nullable().optional(),
});
export type EnrollRequest = z.infer<typeof EnrollRequestSchema>;

export const EnrollResponseSchema = z.object({
  agentId: z.string().min(1).max(128),
  tenantId: z.string().min(1).max(128),
});
export type EnrollResponse = z.infer<typeof EnrollResponseSchema>;

/** The platform-wide error body (`{ error: { code, message, request_id? } }`). */
export const ApiErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), request_id: z.string().optional() }),
});
