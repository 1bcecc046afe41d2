import { describe, expect, it } from "vitest";
import { FakeEnd } from "./fake-socket-end.ts";
import { ViewerSocket } from "./viewer-sockets.ts";

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
