// What a relayed session's room part shares — a TCP tunnel (tunnel-relay.ts), an RDP session
// (rdp-relay.ts): one agent data socket and one client socket, the owner's; a newer socket of either side
// replaces the older one; the agent's going ends the session (AGENT_LOST); the kill switch closes the
// client of one login; and the one closing — audited once with the duration, then both sockets closed —
// whichever way the session ends. Each kind keeps only what its bytes mean.
export interface OwnerRelayHost {
  end(reason: string, code?: string): void;
}

export interface SocketHandlers {
  binary(data: ArrayBuffer): void;
  text(text: string): void;
}

export interface RelayClient {
  ws: WebSocket;
  loginId: string | null;
}

export abstract class OwnerRelay<H extends OwnerRelayHost> {
  protected agent: WebSocket | null = null;
  protected client: RelayClient | null = null;
  protected closed = false;
  private readonly startedAt = Date.now();

  constructor(protected readonly host: H) {}

  /** The closing audit row (with the session's duration so far). */
  protected abstract audit(reason: string, durationMs: number): void;

  /** Closes a client socket; a kind with state per client (a tunnel's streams) releases it too. */
  protected dropClient(ws: WebSocket, code: number, reason: string): void {
    drop(ws, code, reason);
  }

  /** The agent's data socket; `lost` is why the session ends if it goes. */
  protected adoptAgent(ws: WebSocket, h: SocketHandlers, lost: string): void {
    this.agent?.close(4000, "replaced");
    this.agent = ws;
    listen(ws, {
      ...h,
      gone: () => {
        if (this.agent !== ws) return;
        this.agent = null;
        if (!this.closed) this.host.end(lost, "AGENT_LOST");
      },
    });
  }

  /** The owner's socket, replacing an older one; `gone` runs when this one (still current) goes. */
  protected adoptClient(ws: WebSocket, loginId: string | null, h: SocketHandlers, gone: () => void): void {
    if (this.client) this.dropClient(this.client.ws, 4000, "replaced by a newer client");
    const client = { ws, loginId };
    this.client = client;
    listen(ws, {
      ...h,
      gone: () => {
        if (this.client !== client) return;
        this.client = null;
        gone();
      },
    });
  }

  /** The kill switch for one login: its client socket closes. */
  closeLogin(loginId: string, reason: string): number {
    if (!this.client || this.client.loginId !== loginId) return 0;
    this.dropClient(this.client.ws, 4001, reason);
    return 1;
  }

  /** The session is over: audited once, both sockets closed. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.audit(reason, Date.now() - this.startedAt);
    if (this.client) this.dropClient(this.client.ws, 1000, reason.slice(0, 100));
    this.client = null;
    this.agent?.close(1000, "session over");
    this.agent = null;
  }
}

export function send(ws: WebSocket | null, data: string | ArrayBuffer): void {
  try {
    ws?.send(data);
  } catch {
    // closing; its close handler ends what depends on it
  }
}

function drop(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already closed
  }
}

function listen(ws: WebSocket, h: SocketHandlers & { gone(): void }): void {
  ws.binaryType = "arraybuffer";
  ws.accept();
  ws.addEventListener("message", (ev) => {
    if (typeof ev.data === "string") h.text(ev.data);
    else h.binary(ev.data as ArrayBuffer);
  });
  ws.addEventListener("close", () => h.gone());
  ws.addEventListener("error", () => h.gone());
}
