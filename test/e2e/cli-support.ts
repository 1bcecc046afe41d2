// Helpers of the CLI's e2e suite (cli.test.ts): a TCP proxy whose connections can be cut (a network
// blip between the CLI and the Worker), and a shell line that records how a command in a tmux pane exited
// and whether it left the terminal cooked.
import { type AddressInfo, connect, createServer, type Socket } from "node:net";

/** A TCP proxy in front of the Worker whose connections can all be cut at once (a network blip). */
export async function tcpProxy(to: number): Promise<{ port: number; cut(): void; close(): void }> {
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((c) => {
    const u = connect(to, "127.0.0.1");
    const pair: [Socket, Socket] = [c, u];
    pairs.add(pair);
    c.pipe(u);
    u.pipe(c);
    const drop = () => {
      pairs.delete(pair);
      c.destroy();
      u.destroy();
    };
    c.on("error", drop).on("close", drop);
    u.on("error", drop).on("close", drop);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const cut = () => {
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  };
  const close = () => {
    cut();
    server.close();
  };
  return { port, cut, close };
}

/** A shell line in the pane that records how the CLI exited and whether the terminal is cooked again. */
export const recorded = (cmd: string, file: string) =>
  `sh -c '${cmd}; echo "exit=$?" > ${file}; stty -a | grep -o -- "-*icanon" >> ${file}; sleep 30'`;
