// The RDCleanPath PDU (IronRDP's `ironrdp-rdcleanpath`, version 3390): the one message a browser RDP client
// sends its proxy before the RDP stream, and the proxy's answer. The browser cannot do TLS on a WebSocket,
// so the proxy (here, the agent) takes the client's X.224 connection request, opens TCP and TLS to the
// server itself and answers with the server's X.224 confirm and TLS certificate chain; the client then
// speaks the rest of RDP in the clear over the (wss) WebSocket. DER, every field EXPLICIT-tagged:
//   RDCleanPathPdu ::= SEQUENCE {
//     version [0] INTEGER, error [1] RDCleanPathErr OPTIONAL, destination [2] UTF8String OPTIONAL,
//     proxy_auth [3] UTF8String OPTIONAL, server_auth [4] UTF8String OPTIONAL,
//     preconnection_blob [5] UTF8String OPTIONAL, x224_connection_pdu [6] OCTET STRING OPTIONAL,
//     server_cert_chain [7] SEQUENCE OF OCTET STRING OPTIONAL, server_addr [9] UTF8String OPTIONAL }
//   RDCleanPathErr ::= SEQUENCE { error_code [0] INTEGER, http_status_code [1] INTEGER OPTIONAL,
//     wsa_last_error [2] INTEGER OPTIONAL, tls_alert_code [3] INTEGER OPTIONAL }
// Encoding and decoding are asn1js's; this file only maps the tagged fields (and never throws).
import * as asn1js from "asn1js";

export const RDCLEANPATH_VERSION = 3390;
export const GENERAL_ERROR_CODE = 1;
export const NEGOTIATION_ERROR_CODE = 2;
/** A request is a few hundred bytes; anything claiming more than this is not one. */
export const MAX_REQUEST_BYTES = 64 * 1024;

export interface RDCleanPathRequest {
  destination: string;
  proxyAuth: string;
  preconnectionBlob: string | null;
  x224: Uint8Array;
}

export interface RDCleanPathError {
  errorCode: number;
  httpStatusCode?: number;
  wsaLastError?: number;
  tlsAlertCode?: number;
}

/** What the first bytes from the client hold: a whole PDU of `total` bytes, not yet, or garbage. */
export function detectPdu(bytes: Uint8Array): { ok: true; total: number } | { ok: false; more: boolean } {
  if (bytes.length < 2) return { ok: false, more: true };
  if (bytes[0] !== 0x30) return { ok: false, more: false };
  const first = bytes[1] as number;
  if (first < 0x80) return { ok: true, total: 2 + first };
  const n = first & 0x7f;
  if (n === 0 || n > 3) return { ok: false, more: false };
  if (bytes.length < 2 + n) return { ok: false, more: true };
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (bytes[2 + i] as number);
  const total = 2 + n + len;
  return total > MAX_REQUEST_BYTES ? { ok: false, more: false } : { ok: true, total };
}

type Parsed = { ok: true; value: RDCleanPathRequest } | { ok: false; error: string };

/** Decodes a client's request (the X.224 connection request variant; VMConnect is not offered). */
export function decodeRequest(der: Uint8Array): Parsed {
  const fields = decodeFields(der);
  if (!fields) return { ok: false, error: "not a DER RDCleanPath PDU" };
  const version = integerOf(fields.get(0));
  if (version !== RDCLEANPATH_VERSION)
    return { ok: false, error: `unsupported RDCleanPath version ${version}` };
  const destination = stringOf(fields.get(2));
  const proxyAuth = stringOf(fields.get(3));
  const x224 = octetsOf(fields.get(6));
  if (destination === null || proxyAuth === null || !x224)
    return { ok: false, error: "not an RDCleanPath request (destination, proxy_auth and X.224 required)" };
  return { ok: true, value: { destination, proxyAuth, preconnectionBlob: stringOf(fields.get(5)), x224 } };
}

/** The proxy's answer: the server's X.224 confirm, its TLS chain (DER certificates, leaf first), its address. */
export function encodeResponse(serverAddr: string, x224: Uint8Array, chain: Uint8Array[]): Uint8Array {
  return encodePdu([
    [6, new asn1js.OctetString({ valueHex: x224 })],
    [7, new asn1js.Sequence({ value: chain.map((c) => new asn1js.OctetString({ valueHex: c })) })],
    [9, new asn1js.Utf8String({ value: serverAddr })],
  ]);
}

export function encodeError(e: RDCleanPathError, x224?: Uint8Array): Uint8Array {
  const err: [number, asn1js.AsnType][] = [[0, new asn1js.Integer({ value: e.errorCode })]];
  if (e.httpStatusCode !== undefined) err.push([1, new asn1js.Integer({ value: e.httpStatusCode })]);
  if (e.wsaLastError !== undefined) err.push([2, new asn1js.Integer({ value: e.wsaLastError })]);
  if (e.tlsAlertCode !== undefined) err.push([3, new asn1js.Integer({ value: e.tlsAlertCode })]);
  const fields: [number, asn1js.AsnType][] = [[1, new asn1js.Sequence({ value: err.map(tagged) })]];
  if (x224) fields.push([6, new asn1js.OctetString({ valueHex: x224 })]);
  return encodePdu(fields);
}

/** Encodes a client request (tests, and anyone driving the proxy without a browser). */
export function encodeRequest(r: { destination: string; proxyAuth: string; x224: Uint8Array }): Uint8Array {
  return encodePdu([
    [2, new asn1js.Utf8String({ value: r.destination })],
    [3, new asn1js.Utf8String({ value: r.proxyAuth })],
    [6, new asn1js.OctetString({ valueHex: r.x224 })],
  ]);
}

/** Decodes a proxy response (tests): the X.224 confirm, the chain and the address, or the error. */
export function decodeResponse(der: Uint8Array): {
  x224: Uint8Array | null;
  chain: Uint8Array[];
  serverAddr: string | null;
  error: RDCleanPathError | null;
} | null {
  const fields = decodeFields(der);
  if (!fields || integerOf(fields.get(0)) !== RDCLEANPATH_VERSION) return null;
  const chainSeq = fields.get(7);
  const chain =
    chainSeq instanceof asn1js.Sequence
      ? chainSeq.valueBlock.value.map((c) => octetsOf(c)).filter((c): c is Uint8Array => c !== null)
      : [];
  let error: RDCleanPathError | null = null;
  const errSeq = fields.get(1);
  if (errSeq instanceof asn1js.Sequence) {
    const e = new Map<number, asn1js.AsnType>();
    for (const f of errSeq.valueBlock.value) {
      const inner = explicitInner(f);
      if (inner) e.set(inner.tag, inner.value);
    }
    error = { errorCode: integerOf(e.get(0)) ?? 0 };
    const http = integerOf(e.get(1));
    const wsa = integerOf(e.get(2));
    const tls = integerOf(e.get(3));
    if (http !== null) error.httpStatusCode = http;
    if (wsa !== null) error.wsaLastError = wsa;
    if (tls !== null) error.tlsAlertCode = tls;
  }
  return { x224: octetsOf(fields.get(6)), chain, serverAddr: stringOf(fields.get(9)), error };
}

function tagged([tag, value]: [number, asn1js.AsnType]): asn1js.Constructed {
  return new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: tag }, value: [value] });
}

function encodePdu(fields: [number, asn1js.AsnType][]): Uint8Array {
  const all: [number, asn1js.AsnType][] = [
    [0, new asn1js.Integer({ value: RDCLEANPATH_VERSION })],
    ...fields,
  ];
  return new Uint8Array(new asn1js.Sequence({ value: all.map(tagged) }).toBER(false));
}

function explicitInner(f: asn1js.AsnType): { tag: number; value: asn1js.AsnType } | null {
  if (!(f instanceof asn1js.Constructed) || f.idBlock.tagClass !== 3) return null;
  const value = f.valueBlock.value[0];
  return value ? { tag: f.idBlock.tagNumber, value } : null;
}

function decodeFields(der: Uint8Array): Map<number, asn1js.AsnType> | null {
  try {
    const parsed = asn1js.fromBER(der);
    if (parsed.offset === -1 || parsed.offset !== der.byteLength) return null;
    if (!(parsed.result instanceof asn1js.Sequence)) return null;
    const fields = new Map<number, asn1js.AsnType>();
    for (const f of parsed.result.valueBlock.value) {
      const inner = explicitInner(f);
      if (!inner) return null;
      fields.set(inner.tag, inner.value);
    }
    return fields;
  } catch {
    return null;
  }
}

function integerOf(v: asn1js.AsnType | undefined): number | null {
  return v instanceof asn1js.Integer ? v.valueBlock.valueDec : null;
}

function stringOf(v: asn1js.AsnType | undefined): string | null {
  return v instanceof asn1js.Utf8String ? v.valueBlock.value : null;
}

function octetsOf(v: asn1js.AsnType | undefined): Uint8Array | null {
  return v instanceof asn1js.OctetString ? new Uint8Array(v.valueBlock.valueHexView) : null;
}
