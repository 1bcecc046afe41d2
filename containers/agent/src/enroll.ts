// First-start enrolment: trade the one-time token for an agent id, registering our public key.
// A refusal (4xx: used, expired or unknown token) is final — retrying would loop forever — while
// network errors and 5xx are retried with backoff because the edge may simply be restarting.

import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  AGENT_ENROLL_PATH,
  ApiErrorBodySchema,
  type EnrollRequest,
  EnrollResponseSchema,
} from "@nostromo/protocol";
import { Backoff, LINK_BACKOFF } from "./backoff";
import { type AgentConfig, edgeHttpUrl } from "./config";
import {
  type AgentIdentity,
  CredentialsError,
  credentialsPath,
  generateKeyPair,
  readCredentials,
  toIdentity,
  writeCredentials,
} from "./credentials";
import type { Logger } from "./log";
import type { HostFacts } from "./metrics";

/** The edge said no; `code` and `message` come from its `{ error: { code, message } }` body. */
export class EnrollmentRefused extends Error {
  override name = "EnrollmentRefused";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const ENROLL_TIMEOUT_MS = 15_000;

async function postEnroll(url: string, body: EnrollRequest): Promise<{ agentId: string; tenantId: string }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(ENROLL_TIMEOUT_MS),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  if (response.status === 201 || response.status === 200) {
    const parsed = EnrollResponseSchema.safeParse(json);
    if (parsed.success) return parsed.data;
    throw new Error(`enrolment answered ${response.status} without { agentId, tenantId }`);
  }
  const error = ApiErrorBodySchema.safeParse(json);
  const code = error.success ? error.data.error.code : `HTTP_${response.status}`;
  const message = error.success ? error.data.error.message : response.statusText || "no error body";
  if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
    throw new EnrollmentRefused(response.status, code, message);
  }
  throw new Error(`enrolment failed with HTTP ${response.status} (${code}): ${message}`);
}

/**
 * Returns the agent identity, enrolling first when there is no credential file. The token is sent
 * only here; once credentials.json exists it is never read again.
 */
export async function ensureIdentity(
  config: AgentConfig,
  facts: HostFacts,
  log: Logger,
): Promise<AgentIdentity> {
  const existing = await readCredentials(config.stateDir);
  if (existing) {
    if (existing.url !== config.url) {
      log.warn("credentials.url_changed", { enrolledWith: existing.url, configured: config.url });
    }
    log.info("credentials.loaded", { agentId: existing.agentId, tenantId: existing.tenantId });
    return toIdentity(existing);
  }
  if (!config.enrollToken) {
    throw new CredentialsError(
      `NOSTROMO_ENROLL_TOKEN is required on first start (no credentials at ${credentialsPath(config.stateDir)})`,
    );
  }
  // One key pair for every retry of this enrolment, so a retry after a lost response presents the
  // same public key (an edge may treat token + same key as idempotent).
  const keys = generateKeyPair();
  const body: EnrollRequest = {
    token: config.enrollToken.reveal(),
    publicKey: keys.publicKey,
    hostname: facts.hostname,
    version: facts.version,
    os: facts.os,
    name: config.agentName,
  };
  // Prove the state directory is writable before spending the one-time token.
  await assertStateDirWritable(config.stateDir);
  const result = await postWithRetry(edgeHttpUrl(config.url, AGENT_ENROLL_PATH), body, log);
  const credentials = { ...result, url: config.url, ...keys, enrolledAt: new Date().toISOString() };
  try {
    await writeCredentials(config.stateDir, credentials);
  } catch (err) {
    throw new CredentialsError(
      `enrolled as ${result.agentId} but could not save ${credentialsPath(config.stateDir)}: ${(err as Error).message}`,
    );
  }
  log.info("enroll.done", { agentId: result.agentId, tenantId: result.tenantId });
  return toIdentity(credentials);
}

async function postWithRetry(url: string, body: EnrollRequest, log: Logger) {
  const backoff = new Backoff(LINK_BACKOFF);
  for (;;) {
    try {
      log.info("enroll.start", { url });
      return await postEnroll(url, body);
    } catch (err) {
      if (err instanceof EnrollmentRefused) throw err;
      const delayMs = backoff.next();
      log.warn("enroll.retry", { error: err, delayMs });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

async function assertStateDirWritable(stateDir: string): Promise<void> {
  const probe = path.join(stateDir, `.write-test-${process.pid}`);
  try {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await writeFile(probe, "", { mode: 0o600 });
    await rm(probe, { force: true });
  } catch (err) {
    throw new CredentialsError(`NOSTROMO_STATE_DIR ${stateDir} is not writable: ${(err as Error).message}`);
  }
}
