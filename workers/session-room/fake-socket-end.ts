// Tests only: the parts of a workerd WebSocket the room's viewer sockets use (viewer-sockets.ts), recording
// what is done to them, so the viewer-facing parts are unit-tested without a runtime.
export class FakeEnd {
  binaryType = "blob";
  accepted = false;
  readonly sent: unknown[] = [];
  readonly closes: [number, string][] = [];
  private readonly listeners = new Map<string, ((ev: { data?: unknown }) => void)[]>();
  accept(): void {
    this.accepted = true;
  }
  send(data: unknown): void {
    if (!this.accepted) throw new Error("send before accept");
    this.sent.push(data);
  }
  close(code: number, reason: string): void {
    this.closes.push([code, reason]);
  }
  addEventListener(type: string, fn: (ev: { data?: unknown }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  emit(type: string, data?: unknown): void {
    for (const fn of this.listeners.get(type) ?? []) fn({ data });
  }
}
