// The server half of the RDCleanPath proxy: given the client's X.224 connection request, open TCP to the
// RDP server the edge named, send the request, read the server's X.224 connection confirm, and do the TLS
// handshake with the server (its certificate is usually self-signed: it is not verified here but handed to
// the client, which decides — as IronRDP and Devolutions Gateway do). What comes back is either the TLS
// socket, the confirm and the server's chain, or the RDCleanPath error to answer the client with.
import { createConnection, type Socket } from "node:net";
import { type PeerCertificate, type TLSSocket, connect as tlsConnect } from "node:tls";
import { GENERAL_ERROR_CODE, NEGOTIATION_ERROR_CODE, type RDCleanPathError } from "./rdcleanpath";

const CONNECT_TIMEOUT_MS = 10_000;
/** An X.224 connection confirm is ~19 bytes; a TPKT claiming more than this is not one. */
const MAX_CONFIRM_BYTES = 1024;
/** RDP_NEG_FAILURE (MS-RDPBCGR 2.2.1.2.2): the server refused every protocol the client offered. */
const TYPE_RDP_NEG_FAILURE = 0x03;
const TYPE_RDP_NEG_RSP = 0x02;
/** Standard RDP security (no TLS): RDCleanPath has no way to carry it. */
const PROTOCOL_RDP = 0;

export type RdpConnectResult =
  | { ok: true; tls: TLSSocket; confirm: Uint8Array; chain: Uint8Array[]; serverAddr: string }
  | { ok: false; error: RDCleanPathError; confirm?: Uint8Array; message: string };

/** Windows Sockets error numbers the client shows (RDCleanPath carries them as `wsa_last_error`). */
const WSA: Record<string, number> = {
  ECONNREFUSED: 10061,
  ETIMEDOUT: 10060,
  EHOSTUNREACH: 10065,
  ENETUNREACH: 10051,
  ECONNRESET: 10054,
  ENOTFOUND: 11001,
  EAI_AGAIN: 11002,
};

export async function connectRdpServer(
  host: string,
  port: number,
  x224: Uint8Array,
): Promise<RdpConnectResult> {
  let tcp: Socket;
  try {
    tcp = await openTcp(host, port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "ETIMEDOUT";
    return {
      ok: false,
      error: { errorCode: GENERAL_ERROR_CODE, wsaLastError: WSA[code] ?? 10060 },
      message: `${host}:${port}: ${code}`,
    };
  }
  const serverAddr = `${tcp.remoteAddress ?? host}:${port}`;
  let confirm: Uint8Array;
  try {
    tcp.write(x224);
    confirm = await readTpkt(tcp);
  } catch (err) {
    tcp.destroy();
    return {
      ok: false,
      error: { errorCode: GENERAL_ERROR_CODE, wsaLastError: 10054 },
      message: `no X.224 connection confirm from ${serverAddr}: ${(err as Error).message}`,
    };
  }
  if (confirm[11] === TYPE_RDP_NEG_FAILURE) {
    tcp.destroy();
    return {
      ok: false,
      error: { errorCode: NEGOTIATION_ERROR_CODE },
      confirm,
      message: `${serverAddr} refused the security protocols the client offered`,
    };
  }
  if (selectedProtocol(confirm) === PROTOCOL_RDP) {
    tcp.destroy();
    return {
      ok: false,
      error: { errorCode: GENERAL_ERROR_CODE, httpStatusCode: 502 },
      message: `${serverAddr} chose standard RDP security, which a browser client through RDCleanPath cannot use (enable TLS on the server)`,
    };
  }
  try {
    const tls = await startTls(tcp);
    return { ok: true, tls, confirm, chain: chainOf(tls), serverAddr };
  } catch (err) {
    tcp.destroy();
    return {
      ok: false,
      // 40: handshake_failure — the client shows it as a TLS alert.
      error: { errorCode: GENERAL_ERROR_CODE, tlsAlertCode: 40 },
      message: `TLS with ${serverAddr} failed: ${(err as Error).message}`,
    };
  }
}

/** The protocol the server selected in its RDP_NEG_RSP; a confirm without one means standard RDP security. */
function selectedProtocol(confirm: Uint8Array): number {
  if (confirm.length < 19 || confirm[11] !== TYPE_RDP_NEG_RSP) return PROTOCOL_RDP;
  return new DataView(confirm.buffer, confirm.byteOffset).getUint32(15, true);
}

function openTcp(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port, noDelay: true });
    socket.setTimeout(CONNECT_TIMEOUT_MS, () =>
      socket.destroy(Object.assign(new Error("connect timeout"), { code: "ETIMEDOUT" })),
    );
    socket.once("connect", () => {
      socket.setTimeout(0);
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

/** Reads one TPKT (RFC 1006: 03 00 <length u16 BE>, length counting the header) and nothing more. */
function readTpkt(socket: Socket): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => done(new Error("timeout")), CONNECT_TIMEOUT_MS);
    const done = (err: Error | null, pdu?: Buffer) => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("error", onError);
      socket.off("end", onEnd);
      socket.pause();
      if (err) reject(err);
      else resolve(new Uint8Array(pdu as Buffer));
    };
    const onError = (err: Error) => done(err);
    const onEnd = () => done(new Error("connection closed"));
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 4) return;
      if (buf[0] !== 3) return done(new Error("not a TPKT"));
      const len = buf.readUInt16BE(2);
      if (len < 11 || len > MAX_CONFIRM_BYTES) return done(new Error(`bad TPKT length ${len}`));
      if (buf.length < len) return;
      if (buf.length > len) return done(new Error("the server spoke before TLS"));
      done(null, buf);
    };
    socket.on("data", onData);
    socket.once("error", onError);
    socket.once("end", onEnd);
  });
}

function startTls(tcp: Socket): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    // RDP servers present self-signed certificates; the chain goes to the client, which decides.
    const tls = tlsConnect({ socket: tcp, rejectUnauthorized: false });
    const timer = setTimeout(() => tls.destroy(new Error("TLS handshake timeout")), CONNECT_TIMEOUT_MS);
    tls.once("secureConnect", () => {
      clearTimeout(timer);
      tls.off("error", onError);
      resolve(tls);
    });
    const onError = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    tls.once("error", onError);
  });
}

/** The server's certificates, leaf first, as DER. */
function chainOf(tls: TLSSocket): Uint8Array[] {
  const out: Uint8Array[] = [];
  let cert: PeerCertificate | undefined = tls.getPeerCertificate(true);
  const seen = new Set<string>();
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    out.push(new Uint8Array(cert.raw));
    cert = (cert as PeerCertificate & { issuerCertificate?: PeerCertificate }).issuerCertificate;
  }
  return out;
}
