// Credential file and link signing: permissions, round trip, readable failures, and a signature the
// edge can verify from nothing but the enrolled public key and the shared signing string.
import { createPublicKey, verify } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { AGENT_LINK_HEADERS, agentLinkSigningBytes, readAgentLinkHeaders } from "@nostromo/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CredentialsError,
  credentialsPath,
  generateKeyPair,
  readCredentials,
  signLinkHeaders,
  toIdentity,
  writeCredentials,
} from "../../containers/agent/src/credentials";
import { checkHeartbeat, writeHeartbeat } from "../../containers/agent/src/heartbeat-file";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "agent-cred-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const sample = () => ({
  agentId: "agt_1",
  tenantId: "ten_1",
  url: "https://edge.example",
  ...generateKeyPair(),
});

describe("credentials file", () => {
  it("is written with mode 0600 in a 0700 directory and reads back", async () => {
    const stateDir = path.join(root, "state");
    const creds = sample();
    await writeCredentials(stateDir, creds);
    expect((await stat(stateDir)).mode & 0o777).toBe(0o700);
    expect((await stat(credentialsPath(stateDir))).mode & 0o777).toBe(0o600);
    expect(await readCredentials(stateDir)).toEqual(creds);
  });

  it("is null before enrolment and a readable error when damaged", async () => {
    expect(await readCredentials(root)).toBeNull();
    await writeFile(credentialsPath(root), "{ not json");
    await expect(readCredentials(root)).rejects.toThrow(/not valid JSON; restore it or delete it/);
    await writeFile(credentialsPath(root), '{"agentId":"a"}');
    await expect(readCredentials(root)).rejects.toBeInstanceOf(CredentialsError);
  });

  it("generates a raw 32-byte public key in padded base64", () => {
    const { publicKey, privateKeyPkcs8 } = generateKeyPair();
    expect(publicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(publicKey, "base64")).toHaveLength(32);
    expect(toIdentity({ ...sample(), privateKeyPkcs8 }).privateKey.asymmetricKeyType).toBe("ed25519");
  });
});

describe("signLinkHeaders", () => {
  it("produces headers that verify against the enrolled public key", () => {
    const creds = sample();
    const identity = toIdentity(creds);
    const headers = signLinkHeaders(identity, 1_700_000_000_123);
    const parsed = readAgentLinkHeaders((name) => headers[name]);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.msg).toMatchObject({ agentId: "agt_1", timestamp: "1700000000123" });

    const key = createPublicKey({
      key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(creds.publicKey, "base64").toString("base64url") },
      format: "jwk",
    });
    const message = agentLinkSigningBytes(parsed.msg.agentId, parsed.msg.timestamp, parsed.msg.nonce);
    const signature = Buffer.from(parsed.msg.signature, "base64url");
    expect(verify(null, message, key, signature)).toBe(true);
    expect(
      verify(null, agentLinkSigningBytes("agt_2", parsed.msg.timestamp, parsed.msg.nonce), key, signature),
    ).toBe(false);
  });

  it("uses a fresh nonce every time", () => {
    const identity = toIdentity(sample());
    const a = signLinkHeaders(identity, 1);
    const b = signLinkHeaders(identity, 1);
    expect(a[AGENT_LINK_HEADERS.nonce]).not.toBe(b[AGENT_LINK_HEADERS.nonce]);
  });
});

describe("heartbeat file", () => {
  it("is healthy for three intervals, then stale", async () => {
    expect(await checkHeartbeat(root)).toEqual({ healthy: false, reason: "no heartbeat yet" });
    await writeHeartbeat(root, { ts: 1_000_000, intervalMs: 1000 });
    expect(await checkHeartbeat(root, 1_002_500)).toEqual({ healthy: true, ageMs: 2500 });
    expect(await checkHeartbeat(root, 1_003_500)).toMatchObject({
      healthy: false,
      reason: /last heartbeat 4 s ago/,
    });
    await writeFile(path.join(root, "heartbeat"), "garbage");
    expect((await checkHeartbeat(root)).healthy).toBe(false);
    expect(await readFile(path.join(root, "heartbeat"), "utf8")).toBe("garbage");
  });
});
