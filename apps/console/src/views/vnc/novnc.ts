// noVNC (@novnc/novnc), loaded on demand into its own chunk, and the few members of its RFB object this
// console uses (docs/API.md of the package). The channel is either the page's WebSocket to the session
// room or the stand-in socket of the recording player (replay.ts): noVNC accepts any object with a
// WebSocket's members.

export interface RfbObject extends EventTarget {
  viewOnly: boolean;
  scaleViewport: boolean;
  background: string;
  focus(): void;
  disconnect(): void;
  /** Puts text on the remote desktop's clipboard (ClientCutText). */
  clipboardPasteFrom(text: string): void;
}

/** What noVNC needs of a channel (websock.js checks these names are present). */
export interface RfbChannel {
  binaryType: string;
  readyState: number | string;
  protocol: string;
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: { data: ArrayBuffer }) => void) | null;
  onclose: ((ev: CloseEvent | { code: number; reason: string; wasClean: boolean }) => void) | null;
  onerror: ((ev: Event) => void) | null;
  send(data: ArrayBufferView | ArrayBuffer): void;
  close(): void;
}

export type RfbClass = new (
  target: HTMLElement,
  channel: RfbChannel | WebSocket,
  options?: { shared?: boolean },
) => RfbObject;

export async function loadRfb(): Promise<RfbClass> {
  return (await import("@novnc/novnc")).default as RfbClass;
}
