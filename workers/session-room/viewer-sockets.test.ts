import { describe, expect, it } from "vitest";
import { ViewerSocket } from "./viewer-sockets.ts";

/** The parts of a workerd WebSocket the viewer socket uses, recording what is done to it. */
class FakeEnd {
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

const turn = () => new Promise((r) => setTimeout(r, 5));

function open(end: FakeEnd, opened: () => Promise<void> | void = () => {}) {
  const log: string[] = [];
  const s = new ViewerSocket(end as unknown as WebSocket);
  s.open({
    opened: async () => {
      log.push("opened");
      await opened();
    },
    message: (d) => log.push(`message ${String(d)}`),
    closed: () => log.push("closed"),
  });
  return { s, log };
}

describe("a viewer's socket", () => {
  it("is accepted in a later turn, not while the 101 is returned; sends before that are dropped", async () => {
    const end = new FakeEnd();
    const { s, log } = open(end);
    s.send("early");
    expect(end.accepted).toBe(false);
    await turn();
    expect(end.accepted).toBe(true);
    expect(end.binaryType).toBe("arraybuffer");
    s.send("hello");
    expect(end.sent).toEqual(["hello"]);
    expect(log).toEqual(["opened"]);
  });

  it("frames that arrive while the first frames go out are handled after them, in order", async () => {
    const end = new FakeEnd();
    let finish = () => {};
    const { log } = open(
      end,
      () =>
        new Promise<void>((r) => {
          finish = r;
        }),
    );
    await turn();
    end.emit("message", "a");
    end.emit("message", "b");
    expect(log).toEqual(["opened"]);
    finish();
    await turn();
    end.emit("message", "c");
    expect(log).toEqual(["opened", "message a", "message b", "message c"]);
  });

  it("a close asked for before the accept is applied right after it, without the first frames", async () => {
    const end = new FakeEnd();
    const { s, log } = open(end);
    s.close(4001, "killed");
    s.close(1000, "later");
    await turn();
    expect(end.accepted).toBe(true);
    expect(end.closes).toEqual([[4001, "killed"]]);
    expect(log).toEqual([]);
  });

  it("reports its end once, whether closed, failed or both", async () => {
    const end = new FakeEnd();
    const { s, log } = open(end);
    await turn();
    end.emit("close");
    end.emit("error");
    s.close(1000, "after");
    s.send("after");
    expect(log).toEqual(["opened", "closed"]);
    expect(end.closes).toEqual([]);
    expect(end.sent).toEqual([]);
  });
});
