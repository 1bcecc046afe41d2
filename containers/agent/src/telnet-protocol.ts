// The client side of the telnet protocol (RFC 854/855) that a terminal session needs: commands are
// stripped from what the server sends, option negotiation is answered, and typed bytes are escaped.
// Options agreed: TERMINAL-TYPE (RFC 1091, answers with the session's terminal type), NAWS (RFC 1073, the
// window size, again on every resize), SUPPRESS-GO-AHEAD both ways, ECHO by the server; every other
// option is refused. A state per option answers only changes, so a peer cannot start a negotiation loop.
// Hand-written: the npm telnet packages are either scripting clients (expect-style, own the socket and
// the prompts) or unmaintained; this is a small state machine, unit-tested beside it.

const IAC = 255;
const DONT = 254;
const DO = 253;
const WONT = 252;
const WILL = 251;
const SB = 250;
const SE = 240;
const CR = 13;
const LF = 10;
const NUL = 0;

export const OPT = { ECHO: 1, SGA: 3, TTYPE: 24, NAWS: 31 } as const;
const TTYPE_IS = 0;
const TTYPE_SEND = 1;
/** Longest subnegotiation kept; the rest is dropped (a server's TTYPE SEND is 1 byte). */
const MAX_SB = 512;

/** Options this client performs (answers DO with WILL) and lets the server perform (answers WILL with DO). */
const LOCAL = new Set<number>([OPT.TTYPE, OPT.NAWS, OPT.SGA]);
const REMOTE = new Set<number>([OPT.ECHO, OPT.SGA]);

type State = "data" | "iac" | "verb" | "sb" | "sb-iac" | "cr";

export interface TelnetOptions {
  term: string;
  size(): { cols: number; rows: number };
  /** Bytes for the server (negotiation answers). */
  send(bytes: Uint8Array): void;
}

export class TelnetProtocol {
  #state: State = "data";
  #verb = 0;
  #sb: number[] = [];
  readonly #local = new Set<number>();
  readonly #remote = new Set<number>();

  constructor(private readonly o: TelnetOptions) {}

  /** True once the server said WILL ECHO: what is typed is shown only if the server echoes it. */
  get serverEchoes(): boolean {
    return this.#remote.has(OPT.ECHO);
  }

  /** The server's bytes without telnet commands (CR NUL becomes CR); answers negotiation on the way. */
  feed(chunk: Uint8Array): Uint8Array {
    const out = new Uint8Array(chunk.length);
    let n = 0;
    for (const b of chunk) {
      switch (this.#state) {
        case "data":
        case "cr":
          if (b === IAC) this.#state = "iac";
          else if (this.#state === "cr" && b === NUL) this.#state = "data";
          else {
            out[n++] = b;
            this.#state = b === CR ? "cr" : "data";
          }
          break;
        case "iac":
          if (b === IAC) {
            out[n++] = IAC;
            this.#state = "data";
          } else if (b >= WILL && b <= DONT) {
            this.#verb = b;
            this.#state = "verb";
          } else if (b === SB) {
            this.#sb = [];
            this.#state = "sb";
          } else this.#state = "data"; // NOP, GA, AYT…: nothing for a terminal
          break;
        case "verb":
          this.#negotiate(this.#verb, b);
          this.#state = "data";
          break;
        case "sb":
          if (b === IAC) this.#state = "sb-iac";
          else if (this.#sb.length < MAX_SB) this.#sb.push(b);
          break;
        case "sb-iac":
          if (b === SE) {
            this.#subnegotiation(this.#sb);
            this.#state = "data";
          } else {
            if (b === IAC && this.#sb.length < MAX_SB) this.#sb.push(IAC);
            this.#state = b === IAC ? "sb" : "data";
          }
          break;
      }
    }
    return out.subarray(0, n);
  }

  /** Typed bytes as the server must receive them: IAC doubled, a bare CR sent as CR NUL (NVT). */
  input(bytes: Uint8Array): Uint8Array {
    const out: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i] as number;
      out.push(b);
      if (b === IAC) out.push(IAC);
      else if (b === CR && bytes[i + 1] !== LF) out.push(NUL);
    }
    return Uint8Array.from(out);
  }

  /** The window changed: told to the server when NAWS is agreed. */
  resize(): void {
    if (this.#local.has(OPT.NAWS)) this.#naws();
  }

  #negotiate(verb: number, opt: number): void {
    if (verb === DO) {
      if (!LOCAL.has(opt)) this.#send(WONT, opt);
      else if (!this.#local.has(opt)) {
        this.#local.add(opt);
        this.#send(WILL, opt);
        if (opt === OPT.NAWS) this.#naws();
      }
    } else if (verb === DONT) {
      if (this.#local.delete(opt)) this.#send(WONT, opt);
    } else if (verb === WILL) {
      if (!REMOTE.has(opt)) this.#send(DONT, opt);
      else if (!this.#remote.has(opt)) {
        this.#remote.add(opt);
        this.#send(DO, opt);
      }
    } else if (this.#remote.delete(opt)) {
      this.#send(DONT, opt);
    }
  }

  #subnegotiation(sb: number[]): void {
    if (sb[0] === OPT.TTYPE && sb[1] === TTYPE_SEND && this.#local.has(OPT.TTYPE)) {
      const name = [...new TextEncoder().encode(this.o.term.toUpperCase())];
      this.o.send(Uint8Array.from([IAC, SB, OPT.TTYPE, TTYPE_IS, ...name, IAC, SE]));
    }
  }

  #naws(): void {
    const { cols, rows } = this.o.size();
    const body: number[] = [];
    for (const b of [cols >> 8, cols & 255, rows >> 8, rows & 255]) {
      body.push(b);
      if (b === IAC) body.push(IAC);
    }
    this.o.send(Uint8Array.from([IAC, SB, OPT.NAWS, ...body, IAC, SE]));
  }

  #send(verb: number, opt: number): void {
    this.o.send(Uint8Array.from([IAC, verb, opt]));
  }
}
