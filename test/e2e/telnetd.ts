// A real telnet server for the end-to-end tests: Debian's inetutils-telnetd, started inetd-style by
// inetutils-inetd (foreground, its own config and pid file in a temp dir) on a free loopback port. The
// login program telnetd runs (`--exec-login`) asks `login:` and `Password:` (with echo off, as login(1)
// does), checks a fixed pair and starts a shell — so no system user is needed.
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { waitFor } from "@nostromo/testkit";
import { freePort } from "../../infra/dev/postgres.ts";

export const TELNET_USER = "tester";
export const TELNET_PASSWORD = "s3cret-Telnet-pw";

export interface Telnetd {
  port: number;
  dir: string;
  stop(): void;
}

const LOGIN = `#!/bin/sh
printf 'login: '
read -r user
printf 'Password: '
stty -echo
read -r pw
stty echo
printf '\\n'
if [ "$user" = ${TELNET_USER} ] && [ "$pw" = '${TELNET_PASSWORD}' ]; then
  cd "$(dirname "$0")"
  PS1='tel$ ' exec /bin/sh -i
fi
echo 'Login incorrect'
exit 1
`;

const TELNETD = "/usr/sbin/telnetd";
const INETD = "/usr/sbin/inetutils-inetd";

export async function startTelnetd(): Promise<Telnetd> {
  for (const bin of [TELNETD, INETD])
    if (!existsSync(bin))
      throw new Error(
        `${bin} is missing: apt-get install -y inetutils-telnetd inetutils-inetd (.ci/run does)`,
      );
  const dir = mkdtempSync(join(tmpdir(), "nostromo-telnetd-"));
  const login = join(dir, "login.sh");
  writeFileSync(login, LOGIN);
  chmodSync(login, 0o755);
  const port = await freePort();
  const conf = join(dir, "inetd.conf");
  writeFileSync(
    conf,
    `127.0.0.1:${port} stream tcp nowait ${userInfo().username} ${TELNETD} telnetd --no-hostinfo --exec-login=${login}\n`,
  );
  const child: ChildProcess = spawn(INETD, ["--debug", `--pidfile=${join(dir, "inetd.pid")}`, conf], {
    stdio: "ignore",
  });
  await waitFor("inetd listening", async () => {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    return ok;
  });
  return {
    port,
    dir,
    stop() {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
