// Helpers of the CLI's e2e suite (cli.test.ts): the suite's set-up (the CLI bundle built, the live stack,
// the demo admin with 2FA on and a blocking policy, a config file of the suite's own) with the two ways a
// case runs the CLI — in a tmux pane, or as a child process whose status and output it reads; a TCP proxy
// whose connections can be cut (a network blip between the CLI and the Worker); and a shell line that
// records how a command in a tmux pane exited and whether it left the terminal cooked. Kept apart so the
// suite stays one file (one stack start) under 400 lines.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as OTPAuth from "otpauth";
import { expect } from "vitest";
import { ROOT } from "./harness.ts";
import { type LiveEnv, startLive } from "./live.ts";
import { Tmux } from "./tmux.ts";

export const run = promisify(execFile);
export const BIN = join(ROOT, "apps/cli/bin/nostromo.mjs");

/** The current TOTP code of a base32 secret. */
export function totp(secret: string): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 }).generate();
}

/** The suite's stack and CLI environment; `start()` in beforeAll, `close()` in afterAll. */
export class CliSuite {
  live!: LiveEnv;
  /** A directory of the suite's own: the CLI's config files, recorded exit statuses, downloads. */
  dir = "";
  /** The demo admin's TOTP secret (2FA is turned on by `start()`). */
  secret = "";
  /** What every CLI run gets in its environment. */
  env: Record<string, string> = {};
  private readonly panes: Tmux[] = [];

  async start(): Promise<void> {
    // The shipped artifact, built the way a release builds it; every case runs it.
    await run("npm", ["run", "build:cli"], { cwd: ROOT });
    this.live = await startLive("cli");
    this.dir = mkdtempSync(join(tmpdir(), "nostromo-cli-"));
    this.env = { NOSTROMO_CONFIG: join(this.dir, "config.json"), TERM: "xterm-256color", PS1: "$ " };
    // The demo admin turns on 2FA: the CLI's login must then ask for the code.
    const e = await this.live.admin.call<{ secret: string }>("POST", "/api/auth/2fa/enroll");
    this.secret = e.body.secret;
    const v = await this.live.admin.call("POST", "/api/auth/2fa/verify", { code: totp(this.secret) });
    expect(v.status, JSON.stringify(v.body)).toBe(200);
    const p = await this.live.admin.call("POST", "/api/policies", {
      name: "CLI blocks",
      blocked_commands: [
        { name: "No marker", pattern_type: "regex", pattern: "^touch\\s+/tmp/cli-blocked", severity: "high" },
      ],
    });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
  }

  /** A tmux pane running `command` with the suite's environment; killed by `close()`. */
  pane(name: string, command: string, size = { cols: 100, rows: 30 }): Tmux {
    const t = new Tmux(name, command, { ...size, env: this.env });
    this.panes.push(t);
    return t;
  }

  /** Runs the CLI to its end: its exit status and output. */
  async cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const r = await run(process.execPath, [BIN, ...args], {
        env: { ...process.env, ...this.env },
        timeout: 60_000,
      });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  async close(): Promise<void> {
    for (const p of this.panes) p.kill();
    await this.live?.close();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

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

/** `nostromo login URL --tenant ID --sso …` with a config of its own, and a "browser": a script that
 * records the URL it is asked to open ($BROWSER, as a terminal sets it). */
export function ssoLogin(suite: CliSuite, url: string, tenantId: string, tag = "oidc") {
  const opened = join(suite.dir, `browser-urls-${tag}`);
  const browser = join(suite.dir, `browser-${tag}.sh`);
  writeFileSync(browser, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`, { mode: 0o755 });
  const env = {
    ...process.env,
    ...suite.env,
    BROWSER: browser,
    NOSTROMO_CONFIG: join(suite.dir, `sso-config-${tag}.json`),
  };
  const urlsOpened = () => (existsSync(opened) ? readFileSync(opened, "utf8").trim().split("\n") : []);
  const login = (extra: string[]) => {
    const proc = spawn(process.execPath, [BIN, "login", url, "--tenant", tenantId, "--sso", ...extra], {
      env,
    });
    const out = { stderr: "" };
    proc.stderr.on("data", (b: Buffer) => {
      out.stderr += b.toString();
    });
    const exited = new Promise<number | null>((resolve) => proc.on("exit", resolve));
    return { proc, out, exited };
  };
  return { env, urlsOpened, login };
}
