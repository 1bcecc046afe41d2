// Keeping a static virtual channel (the clipboard's, `cliprdr`) out of an RDP connection, from the room.
// The room sees the browser's RDP in the clear — the agent, as the RDCleanPath proxy, does the TLS with the
// server — so the client's channel list is readable and writable here: it is in the first RDP PDU the
// client sends, the MCS Connect Initial (MS-RDPBCGR 2.2.1.3), in the Client Network Data block (CS_NET,
// 2.2.1.3.4: a count, then 8-byte NUL-padded names and 4-byte options). A server opens its clipboard only
// on a channel named `cliprdr`; renaming that entry in place (the lengths around it unchanged) leaves the
// client with a channel no server treats as a clipboard, so nothing is copied either way.
// It fails closed: the room calls it on the whole first TPKT the client sends, and a PDU that does not
// parse as a Connect Initial whose user data ends exactly where the PDU does is refused, not forwarded.
// Hand-written: the structure walked is a few fixed BER/PER fields (no library parses T.125 in a Worker).

/** What a refused channel is renamed to (7 letters and the NUL, as a channel name is). */
export const RENAMED_CHANNEL = "nocopy\0\0";
const CS_CORE = 0xc001;
const CS_NET = 0xc003;
const T124_KEY = [0x00, 0x05, 0x00, 0x14, 0x7c, 0x00, 0x01];
const CCRQ = [0x00, 0x08, 0x00, 0x10, 0x00, 0x01, 0xc0, 0x00, 0x44, 0x75, 0x63, 0x61]; // … "Duca"

export type ChannelRewrite = { ok: true; renamed: number } | { ok: false; error: string };

class Short extends Error {}

/** Renames, in place, every channel of the Connect Initial `pdu` called `name` (case-insensitively). */
export function renameStaticChannel(pdu: Uint8Array, name: string): ChannelRewrite {
  try {
    let renamed = 0;
    walk(pdu, (type, from, to) => {
      if (type === CS_NET) renamed += renameIn(pdu, from, to, name.toLowerCase());
    });
    return { ok: true, renamed };
  } catch (err) {
    return { ok: false, error: err instanceof Short ? "truncated Connect Initial" : (err as Error).message };
  }
}

/** What a recording's player must ask for to be answered by the recorded server bytes: the desktop size
 * the client asked for (Client Core Data, 2.2.1.3.2) and its static channels' names, in order. */
export interface ClientFacts {
  width: number;
  height: number;
  channels: string[];
}

/** The facts of a Connect Initial, or null when `pdu` is not one whole Connect Initial. */
export function connectInitialFacts(pdu: Uint8Array): ClientFacts | null {
  const facts: ClientFacts = { width: 0, height: 0, channels: [] };
  try {
    walk(pdu, (type, from, to) => {
      const view = new DataView(pdu.buffer, pdu.byteOffset);
      if (type === CS_CORE && to - from >= 8) {
        facts.width = view.getUint16(from + 4, true);
        facts.height = view.getUint16(from + 6, true);
      }
      if (type === CS_NET) facts.channels = channelNames(pdu, from, to);
    });
  } catch {
    return null;
  }
  return facts.width > 0 ? facts : null;
}

/** Walks the user data blocks of the Connect Initial `pdu`: `visit(type, bodyStart, blockEnd)`. */
function walk(pdu: Uint8Array, visit: (type: number, from: number, to: number) => void): void {
  const at = (i: number) => {
    if (i >= pdu.length) throw new Short();
    return pdu[i] as number;
  };
  if (at(0) !== 3 || at(1) !== 0 || ((at(2) << 8) | at(3)) !== pdu.length)
    throw new Error("not one whole TPKT");
  if (at(4) !== 2 || at(5) !== 0xf0 || at(6) !== 0x80) throw new Error("not an X.224 data PDU");
  if (at(7) !== 0x7f || at(8) !== 0x65) throw new Error("not an MCS Connect Initial");
  let i = 9;
  const berLength = () => {
    const first = at(i++);
    if (first < 0x80) return first;
    const n = first & 0x7f;
    if (n === 0 || n > 2) throw new Error("bad BER length");
    let v = 0;
    for (let k = 0; k < n; k++) v = (v << 8) | at(i++);
    return v;
  };
  const body = berLength();
  if (i + body !== pdu.length) throw new Error("Connect Initial length does not match the PDU");
  // callingDomainSelector, calledDomainSelector, upwardFlag, target/minimum/maximum parameters.
  for (const tag of [0x04, 0x04, 0x01, 0x30, 0x30, 0x30]) {
    if (at(i++) !== tag) throw new Error("unexpected Connect Initial field");
    const skip = berLength();
    i += skip;
  }
  if (at(i++) !== 0x04) throw new Error("no user data");
  const userData = berLength();
  const end = i + userData;
  if (end !== pdu.length) throw new Error("user data does not end the PDU");
  for (const b of T124_KEY) if (at(i++) !== b) throw new Error("not a GCC Conference Create Request");
  perLength();
  for (const b of CCRQ) if (at(i++) !== b) throw new Error("not a GCC Conference Create Request");
  const blocks = perLength();
  if (i + blocks !== end) throw new Error("GCC user data does not end the PDU");
  while (i < end) {
    const type = at(i) | (at(i + 1) << 8);
    const length = at(i + 2) | (at(i + 3) << 8);
    if (length < 4 || i + length > end) throw new Error("bad user data block");
    visit(type, i + 4, i + length);
    i += length;
  }

  function perLength(): number {
    const first = at(i++);
    return first & 0x80 ? ((first & 0x7f) << 8) | at(i++) : first;
  }
}

/** The names in a Client Network Data block, lower-cased, in order. */
function channelNames(pdu: Uint8Array, from: number, to: number): string[] {
  if (to - from < 4) throw new Error("bad Client Network Data");
  const view = new DataView(pdu.buffer, pdu.byteOffset);
  const count = view.getUint32(from, true);
  if (from + 4 + count * 12 > to) throw new Error("bad Client Network Data");
  return Array.from({ length: count }, (_, k) => {
    const raw = pdu.subarray(from + 4 + k * 12, from + 12 + k * 12);
    const nul = raw.indexOf(0);
    return String.fromCharCode(...raw.subarray(0, nul === -1 ? 8 : nul)).toLowerCase();
  });
}

function renameIn(pdu: Uint8Array, from: number, to: number, name: string): number {
  let renamed = 0;
  channelNames(pdu, from, to).forEach((channel, k) => {
    if (channel !== name) return;
    const raw = pdu.subarray(from + 4 + k * 12, from + 12 + k * 12);
    for (let c = 0; c < 8; c++) raw[c] = RENAMED_CHANNEL.charCodeAt(c);
    renamed += 1;
  });
  return renamed;
}

/** The length of the DER value a frame starts with (header included), or null if it is not whole. */
export function derLength(frame: Uint8Array): number | null {
  if (frame.length < 2 || frame[0] !== 0x30) return null;
  const first = frame[1] as number;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 3 || frame.length < 2 + n) return null;
  let v = 0;
  for (let k = 0; k < n; k++) v = v * 256 + (frame[2 + k] as number);
  return 2 + n + v;
}
