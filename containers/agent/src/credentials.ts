// The agent's identity on disk: an Ed25519 key pair made here (the private key never leaves the
// machine) and the ids the edge assigned at enrolment. Stored as credentials.json, mode 0600.
import { createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import { chmod, mkdir, open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { encodeBase64Url } from "@nostromo/crypto";
import { AGENT_LINK_HEADERS, agentLinkSigningString } from "@nostromo/protocol";
import { z } from "zod";

export const CredentialsFileSchema = z.object({
  agentId: z.string().min(1),
  tenantId: z.string().min(1),
  url: z.string().min(1),
  /** PKCS#8 DER of the Ed25519 private key, base64. */
  privateKeyPkcs8: z.string().min(1),
  /** Raw 32-byte public key, base64 (what the edge stored at enrolment). */
  publicKey: z.string().min(1),
  enrolledAt: z.string().optional(),
});
export type CredentialsFile = z.infer<typeof CredentialsFileSchema>;

export interface AgentIdentity {
  agentId: string;
  tenantId: string;
  privateKey: KeyObject;
  publicKey: string;
}

export interface KeyPair {
  privateKeyPkcs8: string;
  publicKey: string;
}

export class CredentialsError extends Error {
  override name = "CredentialsError";
}

export function credentialsPath(stateDir: string): string {
  return path.join(stateDir, "credentials.json");
}

export function generateKeyPair(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const jwk = publicKey.export({ format: "jwk" });
  if (typeof jwk.x !== "string") throw new Error("Ed25519 public key export failed");
  return {
    privateKeyPkcs8: privateKey.export({ format: "der", type: "pkcs8" }).toString("base64"),
    publicKey: Buffer.from(jwk.x, "base64url").toString("base64"),
  };
}

export function toIdentity(file: CredentialsFile): AgentIdentity {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({
      key: Buffer.from(file.privateKeyPkcs8, "base64"),
      format: "der",
      type: "pkcs8",
    });
  } catch {
    throw new CredentialsError("the private key in the credential file cannot be read");
  }
  if (privateKey.asymmetricKeyType !== "ed25519")
    throw new CredentialsError("the credential key is not Ed25519");
  return { agentId: file.agentId, tenantId: file.tenantId, privateKey, publicKey: file.publicKey };
}

/** null when there is no credential file yet (first start); throws CredentialsError when it is unusable. */
export async function readCredentials(stateDir: string): Promise<CredentialsFile | null> {
  const file = credentialsPath(stateDir);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new CredentialsError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CredentialsError(
      `${file} is not valid JSON; restore it or delete it and enrol again with a new token`,
    );
  }
  const parsed = CredentialsFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new CredentialsError(
      `${file} is incomplete; restore it or delete it and enrol again with a new token`,
    );
  }
  return parsed.data;
}

/** Writes atomically (temp file + rename) so a crash never leaves half a credential behind. */
export async function writeCredentials(stateDir: string, credentials: CredentialsFile): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  // mkdir leaves an existing directory's mode alone; tighten it, but a mounted volume owned by
  // someone else may refuse, and the file's own 0600 still protects the key.
  await chmod(stateDir, 0o700).catch(() => undefined);
  const target = credentialsPath(stateDir);
  const temp = `${target}.${process.pid}.tmp`;
  const handle = await open(temp, "w", 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(credentials, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** The four upgrade headers of the control link, signed with the agent key (see agent-auth.ts). */
export function signLinkHeaders(identity: AgentIdentity, now: number = Date.now()): Record<string, string> {
  const timestamp = String(now);
  const nonce = encodeBase64Url(randomBytes(16));
  const signature = sign(
    null,
    Buffer.from(agentLinkSigningString(identity.agentId, timestamp, nonce)),
    identity.privateKey,
  );
  return {
    [AGENT_LINK_HEADERS.agentId]: identity.agentId,
    [AGENT_LINK_HEADERS.timestamp]: timestamp,
    [AGENT_LINK_HEADERS.nonce]: nonce,
    [AGENT_LINK_HEADERS.signature]: encodeBase64Url(signature),
  };
}
