// A real VNC server for tests: Debian's `Xvfb` (a virtual X display, the free display number chosen by
// Xvfb itself through -displayfd) and `x11vnc` serving it on a free loopback port, shared (several
// clients at once), with or without a password. `paint(color)` fills the root window with a known colour
// (`xsetroot` from x11-xserver-utils) so a test can recognise the desktop in a screenshot; `pointer()` reads
// where the X server's pointer is (`xdotool`), which only input that reached the server can move.
// `setClipboard`/`clipboard` write and read the display's CLIPBOARD selection (`xclip`), which x11vnc
// sends to its clients as ServerCutText and sets from their ClientCutText.
// Requirements: apt-get install -y xvfb x11vnc x11-xserver-utils xdotool xclip.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createServer, Socket } from "node:net";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface VncServer {
  host: "127.0.0.1";
  port: number;
  display: string;
  width: number;
  height: number;
  password: string | null;
  paint(color: string): Promise<void>;
  pointer(): Promise<{ x: number; y: number }>;
  movePointer(x: number, y: number): Promise<void>;
  setClipboard(text: string): Promise<void>;
  /** The CLIPBOARD selection's text; "" when nobody owns it. */
  clipboard(): Promise<string>;
  logs(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === "object" && addr ? addr.port : 0));
    });
  });
}

function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once("data", (b) => done(b.toString("latin1").startsWith("RFB ")));
    s.once("error", () => done(false));
    s.connect(port, "127.0.0.1");
  });
}

function stopChild(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    p.once("exit", () => resolve());
    p.kill("SIGTERM");
    setTimeout(() => p.kill("SIGKILL"), 2000).unref();
  });
}

export async function startVnc(opts: { password?: string | null; width?: number; height?: number } = {}) {
  const width = opts.width ?? 640;
  const height = opts.height ?? 400;
  const password = opts.password ?? null;
  let log = "";
  const xvfb = spawn(
    "Xvfb",
    ["-displayfd", "3", "-screen", "0", `${width}x${height}x24`, "-nolisten", "tcp"],
    {
      stdio: ["ignore", "ignore", "pipe", "pipe"],
    },
  );
  xvfb.stderr?.on("data", (b: Buffer) => {
    log += b.toString();
  });
  const fd3 = xvfb.stdio[3];
  const display = await new Promise<string>((resolve, reject) => {
    let text = "";
    fd3?.on("data", (b: Buffer) => {
      text += b.toString();
      if (text.includes("\n")) resolve(`:${text.trim()}`);
    });
    xvfb.once("exit", (code) => reject(new Error(`Xvfb exited (${code}): ${log}`)));
  });
  const port = await freePort();
  const auth = password === null ? ["-nopw"] : ["-passwd", password];
  const vnc = spawn(
    "x11vnc",
    ["-display", display, "-localhost", "-noipv6", "-shared", "-forever", "-rfbport", String(port), ...auth],
    // x11vnc takes part in the X selections only once it guesses no display manager is left (45 s after
    // a client connects on a display without a window manager); "never" skips that wait.
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, X11VNC_AVOID_WINDOWS: "never" } },
  );
  vnc.stdout?.on("data", (b: Buffer) => {
    log += b.toString();
  });
  vnc.stderr?.on("data", (b: Buffer) => {
    log += b.toString();
  });
  const deadline = Date.now() + 20_000;
  while (!(await greets(port))) {
    if (vnc.exitCode !== null || Date.now() > deadline) {
      await stopChild(xvfb);
      throw new Error(`x11vnc did not start: ${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const server: VncServer = {
    host: "127.0.0.1",
    port,
    display,
    width,
    height,
    password,
    async paint(color: string) {
      await run("xsetroot", ["-display", display, "-solid", color]);
    },
    async pointer() {
      const { stdout } = await run("xdotool", ["getmouselocation", "--shell"], {
        env: { ...process.env, DISPLAY: display },
      });
      const at = (k: string) => Number(new RegExp(`^${k}=(\\d+)$`, "m").exec(stdout)?.[1] ?? Number.NaN);
      return { x: at("X"), y: at("Y") };
    },
    async movePointer(x: number, y: number) {
      await run("xdotool", ["mousemove", String(x), String(y)], {
        env: { ...process.env, DISPLAY: display },
      });
    },
    async setClipboard(text: string) {
      // xclip keeps serving the selection from a child of its own until another client takes it.
      const p = spawn("xclip", ["-display", display, "-selection", "clipboard", "-i"], {
        stdio: ["pipe", "ignore", "ignore"],
      });
      const exited = new Promise((resolve) => p.once("exit", resolve));
      p.stdin?.end(text);
      await exited;
    },
    async clipboard() {
      try {
        const { stdout } = await run("xclip", ["-display", display, "-selection", "clipboard", "-o"]);
        return stdout;
      } catch {
        return "";
      }
    },
    logs: () => log,
    async stop() {
      await stopChild(vnc);
      await stopChild(xvfb);
    },
  };
  return server;
}
