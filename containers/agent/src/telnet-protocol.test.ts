// The telnet client state machine: commands stripped from the data (also when split across reads), the
// agreed options answered once (no negotiation loop), TTYPE and NAWS answers, input escaping.
import { describe, expect, it } from "vitest";
import { OPT, TelnetProtocol } from "./telnet-protocol";

const IAC = 255;
const [WILL, WONT, DO, DONT, SB, SE] = [251, 252, 253, 254, 250, 240];

function client(size = { cols: 100, rows: 30 }) {
  const sent: number[][] = [];
  const t = new TelnetProtocol({ term: "xterm-256color", size: () => size, send: (b) => sent.push([...b]) });
  return { t, sent, size };
}

const text = (b: Uint8Array) => Buffer.from(b).toString("latin1");

describe("TelnetProtocol", () => {
  it("strips commands from the data, across reads, and keeps an escaped 0xFF", () => {
    const { t } = client();
    expect(text(t.feed(Uint8Array.from([104, IAC, WILL])))).toBe("h");
    expect(text(t.feed(Uint8Array.from([OPT.ECHO, 105, IAC, IAC, 13, 0, 10])))).toBe("i\xff\r\n");
    expect(text(t.feed(Uint8Array.from([13, 10])))).toBe("\r\n");
  });

  it("agrees ECHO and SGA from the server, refuses other options, and answers each change once", () => {
    const { t, sent } = client();
    t.feed(Uint8Array.from([IAC, WILL, OPT.ECHO, IAC, WILL, OPT.ECHO, IAC, WILL, 37, IAC, DO, 39]));
    expect(sent).toEqual([
      [IAC, DO, OPT.ECHO],
      [IAC, DONT, 37],
      [IAC, WONT, 39],
    ]);
    expect(t.serverEchoes).toBe(true);
    t.feed(Uint8Array.from([IAC, WONT, OPT.ECHO]));
    expect(t.serverEchoes).toBe(false);
    expect(sent.at(-1)).toEqual([IAC, DONT, OPT.ECHO]);
  });

  it("sends the terminal type when asked and the window size on NAWS and on every resize", () => {
    const { t, sent, size } = client();
    t.feed(Uint8Array.from([IAC, DO, OPT.TTYPE, IAC, SB, OPT.TTYPE, 1, IAC, SE, IAC, DO, OPT.NAWS]));
    expect(sent[0]).toEqual([IAC, WILL, OPT.TTYPE]);
    expect(text(Uint8Array.from(sent[1] ?? []))).toBe(
      text(Uint8Array.from([IAC, SB, OPT.TTYPE, 0, ...Buffer.from("XTERM-256COLOR"), IAC, SE])),
    );
    expect(sent.slice(2)).toEqual([
      [IAC, WILL, OPT.NAWS],
      [IAC, SB, OPT.NAWS, 0, 100, 0, 30, IAC, SE],
    ]);
    size.cols = 255;
    t.resize();
    expect(sent.at(-1)).toEqual([IAC, SB, OPT.NAWS, 0, 255, 255, 0, 30, IAC, SE]);
  });

  it("does not send the window size before NAWS is agreed", () => {
    const { t, sent } = client();
    t.resize();
    expect(sent).toEqual([]);
  });

  it("escapes IAC in typed bytes and sends a bare CR as CR NUL", () => {
    const { t } = client();
    expect([...t.input(Uint8Array.from([97, IAC, 13, 98, 13, 10]))]).toEqual([
      97,
      IAC,
      IAC,
      13,
      0,
      98,
      13,
      10,
    ]);
  });
});
