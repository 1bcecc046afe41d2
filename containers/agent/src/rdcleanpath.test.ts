// The RDCleanPath codec against the DER vectors of IronRDP's own test suite
// (crates/ironrdp-testsuite-core/tests/rdcleanpath.rs), so the agent speaks exactly what the web client reads.
import { describe, expect, it } from "vitest";
import {
  decodeRequest,
  decodeResponse,
  detectPdu,
  encodeError,
  encodeRequest,
  encodeResponse,
  GENERAL_ERROR_CODE,
} from "./rdcleanpath";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const DEAD = hex("deadbeff");

// new_request([DE AD BE FF], "destination", "proxy auth", Some("PCB"))
const REQUEST = hex(
  "3032a00402020d3ea20d0c0b64657374696e6174696f6ea30c0c0a70726f78792061757468a5050c03504342a6060404deadbeff",
);
// new_response("192.168.7.95", [DE AD BE FF], 3 × [DE AD BE FF])
const RESPONSE = hex(
  "3034a00402020d3ea6060404deadbeffa71430120404deadbeff0404deadbeff0404deadbeffa90e0c0c3139322e3136382e372e3935",
);
const HTTP_500 = hex("3015a00402020d3ea10d300ba003020101a104020201f4");
const TLS_48 = hex("3014a00402020d3ea10c300aa003020101a303020130");

describe("RDCleanPath PDU", () => {
  it("decodes IronRDP's request vector", () => {
    const r = decodeRequest(REQUEST);
    expect(r).toEqual({
      ok: true,
      value: { destination: "destination", proxyAuth: "proxy auth", preconnectionBlob: "PCB", x224: DEAD },
    });
  });

  it("encodes the response byte for byte as IronRDP does", () => {
    expect(Buffer.from(encodeResponse("192.168.7.95", DEAD, [DEAD, DEAD, DEAD])).toString("hex")).toBe(
      Buffer.from(RESPONSE).toString("hex"),
    );
  });

  it("encodes the HTTP and TLS errors byte for byte", () => {
    expect(Buffer.from(encodeError({ errorCode: GENERAL_ERROR_CODE, httpStatusCode: 500 }))).toEqual(
      Buffer.from(HTTP_500),
    );
    expect(Buffer.from(encodeError({ errorCode: GENERAL_ERROR_CODE, tlsAlertCode: 48 }))).toEqual(
      Buffer.from(TLS_48),
    );
  });

  it("round-trips a request and a response, including a 200 that needs a sign byte", () => {
    const req = encodeRequest({ destination: "h:3389", proxyAuth: "t", x224: DEAD });
    expect(decodeRequest(req)).toMatchObject({ ok: true, value: { destination: "h:3389", x224: DEAD } });
    expect(decodeResponse(RESPONSE)).toEqual({
      x224: DEAD,
      chain: [DEAD, DEAD, DEAD],
      serverAddr: "192.168.7.95",
      error: null,
    });
    expect(
      decodeResponse(encodeError({ errorCode: 1, httpStatusCode: 200, wsaLastError: 10061 }))?.error,
    ).toEqual({
      errorCode: 1,
      httpStatusCode: 200,
      wsaLastError: 10061,
    });
  });

  it("detects a whole PDU, a partial one, and garbage", () => {
    expect(detectPdu(REQUEST)).toEqual({ ok: true, total: REQUEST.length });
    expect(detectPdu(REQUEST.subarray(0, 1))).toEqual({ ok: false, more: true });
    expect(detectPdu(hex("3082"))).toEqual({ ok: false, more: true });
    expect(detectPdu(hex("30820104"))).toEqual({ ok: true, total: 4 + 0x104 });
    expect(detectPdu(hex("0300002a"))).toEqual({ ok: false, more: false }); // a bare TPKT, not RDCleanPath
    expect(detectPdu(hex("3083ffffff"))).toEqual({ ok: false, more: false }); // past the bound
  });

  it("refuses what is not a request without throwing", () => {
    expect(decodeRequest(RESPONSE).ok).toBe(false);
    expect(decodeRequest(hex("3003020101")).ok).toBe(false);
    expect(decodeRequest(hex("30ff00")).ok).toBe(false);
    expect(decodeRequest(REQUEST.subarray(0, 20)).ok).toBe(false);
    expect(decodeRequest(Uint8Array.from([...REQUEST, 0])).ok).toBe(false);
    // version 3389 (the base) is not the version the client speaks
    expect(decodeRequest(hex("3008a00402020d3d")).ok).toBe(false);
  });
});
