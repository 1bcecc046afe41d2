// Watching someone's RDP session: the page opens the session's viewer socket itself
// (`/api/remote-sessions/:id/ws`, the same permission as watching any session). The room first names what
// the owner's client asked for (a text frame `rdp.client`: its desktop size and channels), then sends the
// session's whole stream from its first byte, then the live bytes (workers/session-room/rdp-viewers.ts).
// IronRDP's client is built like the owner's with that size and clipboard channel and handed a stand-in
// socket (rdp-replay.ts) fed from the viewer socket; what it sends goes nowhere (the room would drop it).
import type { RdpClient, RdpHandlers } from "./rdp-client.ts";
import { StandInSocket } from "./rdp-replay.ts";

interface OwnerClient {
  t: "rdp.client";
  width: number;
  height: number;
  channels: string[];
}

export function watchRdp(host: HTMLElement, socketUrl: string, h: RdpHandlers): Promise<RdpClient> {
  const ws = new WebSocket(socketUrl);
  ws.binaryType = "arraybuffer";
  const held: ArrayBuffer[] = [];
  let standIn: StandInSocket | null = null;
  let flowing = false;
  ws.addEventListener("message", (ev) => {
    if (typeof ev.data === "string") return;
    if (flowing && standIn) standIn.deliver(ev.data as ArrayBuffer);
    else held.push(ev.data as ArrayBuffer);
  });
  ws.addEventListener("close", (ev) => {
    if (standIn) standIn.close(ev.code, ev.reason);
    else h.failed(ev.reason || "The session's socket closed");
  });
  const owner = new Promise<OwnerClient>((resolve) => {
    const first = (ev: MessageEvent) => {
      if (typeof ev.data !== "string") return;
      const msg = JSON.parse(ev.data) as OwnerClient;
      if (msg.t !== "rdp.client") return;
      ws.removeEventListener("message", first);
      resolve(msg);
    };
    ws.addEventListener("message", first);
  });
  return owner.then(async (o) => {
    const { mountRdp } = await import("./rdp-client.ts");
    const client = await mountRdp(
      host,
      "ws://watch.invalid/",
      o.channels.some((c) => c === "cliprdr" || c === "nocopy"),
      h,
      {
        size: { width: o.width, height: o.height },
        socket: (url) => {
          const s = new StandInSocket(url, () => {
            flowing = true;
            for (const bytes of held.splice(0)) s.deliver(bytes);
          });
          standIn = s;
          return s;
        },
      },
    );
    return {
      ctrlAltDel: () => {},
      close: () => {
        client.close();
        ws.close(1000, "left");
      },
    };
  });
}
