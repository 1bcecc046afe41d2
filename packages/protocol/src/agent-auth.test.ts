// The link signing string is byte-exact and the header/enrolment schemas accept what the agent sends.
// Signatures are made and checked with WebCrypto, which both workerd and Node provide.

import { decodeBase64, encodeBase64, encodeBase64Url } from "@nostromo/crypto";
import { describe, expect, it } from "vitest";
import {
  AGENT_LINK_HEADERS,
  agentLinkSigningBytes,
  agentLinkSigningString,
  EnrollRequestSchema,
  isAgentLinkTimestampFresh,
  readAgentLinkHeaders,
} from "./agent-auth";

describe("agent link signing string", () => {
  it("is the documented text, newline separated, with the timestamp as sent", () => {
    expect(agentLinkSigningString("agt_1", "1700000000000", "AAAAAAAAAAAAAAAAAAAAAA")).toBe(
      "nostromo-agent-link\nagt_1\n1700000000000\nAAAAAAAAAAAAAAAAAAAAAA",
    );
    expect(new TextDecoder().decode(agentLinkSigningBytes("a", "1", "n"))).toBe(
      "nostromo-agent-link\na\n1\nn",
    );
  });

  it("verifies with WebCrypto Ed25519 after a round trip through the headers", async () => {
    const keys = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    const raw = new Uint8Array((await crypto.subtle.exportKey("raw", keys.publicKey)) as ArrayBuffer);
    const nonce = encodeBase64Url(crypto.getRandomValues(new Uint8Array(16)));
    const ts = String(Date.now());
    const signature = new Uint8Array(
      await crypto.subtle.sign("Ed25519", keys.privateKey, agentLinkSigningBytes("agt_9", ts, nonce)),
    );
    const sent = new Map<string, string>([
      [AGENT_LINK_HEADERS.agentId.toLowerCase(), "agt_9"],
      [AGENT_LINK_HEADERS.timestamp.toLowerCase(), ts],
      [AGENT_LINK_HEADERS.nonce.toLowerCase(), nonce],
      [AGENT_LINK_HEADERS.signature.toLowerCase(), encodeBase64Url(signature)],
    ]);
    const headers = readAgentLinkHeaders((name) => sent.get(name.toLowerCase()));
    if (!headers.ok) throw new Error(headers.error);

    const publicKey = await crypto.subtle.importKey(
      "raw",
      decodeBase64(encodeBase64(raw)) as Uint8Array,
      "Ed25519",
      false,
      ["verify"],
    );
    const { agentId, timestamp } = headers.msg;
    const sig = decodeBase64(headers.msg.signature) as Uint8Array;
    const bytes = agentLinkSigningBytes(agentId, timestamp, headers.msg.nonce);
    expect(await crypto.subtle.verify("Ed25519", publicKey, sig, bytes)).toBe(true);
    const tampered = agentLinkSigningBytes("agt_8", timestamp, headers.msg.nonce);
    expect(await crypto.subtle.verify("Ed25519", publicKey, sig, tampered)).toBe(false);
  });

  it("names the missing or malformed header", () => {
    expect(readAgentLinkHeaders(() => null)).toMatchObject({ ok: false, error: /X-Nostromo-Agent/ });
    const values: Record<string, string> = {
      [AGENT_LINK_HEADERS.agentId]: "agt_1",
      [AGENT_LINK_HEADERS.timestamp]: "soon",
      [AGENT_LINK_HEADERS.nonce]: "AAAAAAAAAAAAAAAAAAAAAA",
      [AGENT_LINK_HEADERS.signature]: "A".repeat(86),
    };
    expect(readAgentLinkHeaders((n) => values[n])).toMatchObject({
      ok: false,
      error: /X-Nostromo-Timestamp/,
    });
  });

  it("accepts timestamps within the skew window only", () => {
    const now = 1_700_000_000_000;
    expect(isAgentLinkTimestampFresh(String(now - 1000), now)).toBe(true);
    expect(isAgentLinkTimestampFresh(String(now + 6 * 60_000), now)).toBe(false);
    expect(isAgentLinkTimestampFresh("99999999999999999", now)).toBe(false);
  });
});

describe("enrolment body", () => {
  it("requires a 32-byte public key in padded base64", () => {
    const body = { token: "t", hostname: "h", version: "0.1.0", os: "linux" };
    expect(
      EnrollRequestSchema.safeParse({ ...body, publicKey: encodeBase64(new Uint8Array(32)) }).success,
    ).toBe(true);
    expect(
      EnrollRequestSchema.safeParse({ ...body, publicKey: encodeBase64(new Uint8Array(33)) }).success,
    ).toBe(false);
  });
});
