// A real RDP server for tests: Debian's `xrdp`, started in the foreground (-n) with its own xrdp.ini in a
// temp dir, listening on a free loopback port (`port=tcp://127.0.0.1:PORT`; a bare port listens on every
// address), its own self-signed certificate, its log in the temp dir. What a client sees without logging
// in is xrdp's own login screen, drawn by xrdp itself: enough to prove the RDP path (X.224, TLS, MCS,
// capabilities, bitmaps) end to end without an X server. Needs root and `apt-get install -y xrdp`.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const XRDP_BIN = "/usr/sbin/xrdp";
const BASE_INI = "/etc/xrdp/xrdp.ini";

export interface Xrdp {
  host: "127.0.0.1";
  port: number;
  dir: string;
  logs(): string;
  stop(): Promise<void>;
}

export function xrdpAvailable(): boolean {
  return fs.existsSync(XRDP_BIN) && fs.existsSync(BASE_INI);
}

export async function startXrdp(): Promise<Xrdp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nostromo-xrdp-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=nostromo-test-rdp",
      "-keyout",
      path.join(dir, "key.pem"),
      "-out",
      path.join(dir, "cert.pem"),
    ],
    { stdio: "ignore" },
  );
  const port = await freePort();
  const ini = fs
    .readFileSync(BASE_INI, "utf8")
    .replace(/^port=.*$/m, `port=tcp://127.0.0.1:${port}`)
    .replace(/^fork=.*$/m, "fork=false")
    .replace(/^security_layer=.*$/m, "security_layer=negotiate")
    .replace(/^certificate=.*$/m, `certificate=${path.join(dir, "cert.pem")}`)
    .replace(/^key_file=.*$/m, `key_file=${path.join(dir, "key.pem")}`)
    .replace(/^LogFile=.*$/m, `LogFile=${path.join(dir, "xrdp.log")}`)
    .replace(/^EnableSyslog=.*$/m, "EnableSyslog=false")
    // DEBUG: the log then names every channel the client asked for (the clipboard policy's evidence).
    .replace(/^LogLevel=.*$/m, "LogLevel=DEBUG")
    // IronRDP's web client (0.7) draws xrdp's bitmaps whose width is not a multiple of 4 sheared (measured:
    // the default 350 px dialog and 210 px fields shear, 352 and 212 draw clean): the test server uses those.
    .replace(/^ls_width=.*$/m, "ls_width=352")
    .replace(/^ls_input_width=.*$/m, "ls_input_width=212");
  fs.writeFileSync(path.join(dir, "xrdp.ini"), ini);
  const out: string[] = [];
  const child: ChildProcess = spawn(XRDP_BIN, ["-n", "-c", path.join(dir, "xrdp.ini")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d: Buffer) => out.push(d.toString()));
  child.stderr?.on("data", (d: Buffer) => out.push(d.toString()));
  const logs = () => {
    const file = path.join(dir, "xrdp.log");
    return out.join("") + (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "");
  };
  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`xrdp did not listen on ${port}:\n${logs()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host: "127.0.0.1",
    port,
    dir,
    logs,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** An X.224 Connection Request (MS-RDPBCGR 2.2.1.1) offering TLS only (PROTOCOL_SSL), as a client sends it. */
export function x224ConnectionRequest(protocols = 1): Uint8Array {
  const neg = [0x01, 0x00, 0x08, 0x00, protocols & 0xff, (protocols >> 8) & 0xff, 0, 0];
  const x224 = [0x0e, 0xe0, 0, 0, 0, 0, 0, ...neg];
  return Uint8Array.from([0x03, 0x00, 0x00, 4 + x224.length, ...x224]);
}
