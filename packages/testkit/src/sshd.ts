// A real OpenSSH server on a loopback port for tests: fresh host key, password and Ed25519 key login
// for a local test user, one private temp dir per instance. Needs root (sshd must switch users and
// read /etc/shadow) and /usr/sbin/sshd (`apt-get install openssh-server`).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const SSHD_PATH = "/usr/sbin/sshd";
export const DEFAULT_TEST_USER = "nostromo-test";

export interface SshdOptions {
  /** Local account to log in as; created (bash, home dir) when missing. Default nostromo-test. */
  user?: string;
  /** Extra sshd_config lines; placed first, because sshd keeps the first value it reads for a keyword. */
  extraConfig?: string[];
  /** Keep the host key here across runs (the local demo target, whose key the edge pins). */
  hostKeyPath?: string;
  /** Make the server's folder (config, keys, pid file) under here instead of the system's temp folder: the
   * local stack keeps it in its data dir, so a run killed with SIGKILL leaves nothing behind in /tmp. */
  parentDir?: string;
  /** In a session of its own, away from the caller's terminal: `npm start`'s demo server. A hung-up
   * terminal sends SIGHUP to its foreground group, and sshd answers SIGHUP by re-executing itself (a
   * reload), not by exiting — a CI run saw it left behind after a terminal closed during start-up. Its
   * owner stops it. */
  ownSession?: boolean;
}

export interface TestSshd {
  host: "127.0.0.1";
  port: number;
  user: string;
  password: string;
  /** OpenSSH-format Ed25519 private key authorised for `user` (no passphrase). */
  privateKey: string;
  /** Another authorised Ed25519 key, encrypted with `passphrase`. */
  encryptedPrivateKey: string;
  passphrase: string;
  /** The server's host key as an OpenSSH public key line ("ssh-ed25519 AAAA… comment"). */
  hostPublicKey: string;
  /** `ssh-keygen -l -E sha256` of the host key: "SHA256:…". */
  hostKeyFingerprint: string;
  dir: string;
  /** sshd's own log (stderr, -e), e.g. to assert that a client disconnected. */
  logs(): string;
  stop(): Promise<void>;
}

const USER_LOCK = path.join(os.tmpdir(), "nostromo-sshd-user.lock");

// Runs under flock so that parallel test files agree on one password for the shared account.
const ENSURE_USER_SCRIPT = `
set -eu
user="$1"; pwfile="$2"
if ! id "$user" >/dev/null 2>&1; then useradd -m -s /bin/bash "$user"; fi
if [ ! -s "$pwfile" ]; then
  umask 077
  head -c 24 /dev/urandom | base64 | tr -d '/+=\\n' > "$pwfile.tmp"
  printf '%s:%s\\n' "$user" "$(cat "$pwfile.tmp")" | chpasswd
  mv "$pwfile.tmp" "$pwfile"
fi
cat "$pwfile"
`;

/** Creates the test account if needed and returns its password (stable across parallel callers). */
export function ensureTestUser(user: string): string {
  const fromEnv = process.env.NOSTROMO_TEST_SSH_PASSWORD;
  if (fromEnv && process.env.NOSTROMO_TEST_SSH_USER === user) return fromEnv;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `startSshd needs root to create the ${user} account and run sshd (or set NOSTROMO_TEST_SSH_USER/PASSWORD for a pre-made account, still as root)`,
    );
  }
  const passwordFile = path.join(os.tmpdir(), `nostromo-sshd-${user}.password`);
  const out = execFileSync("flock", [USER_LOCK, "sh", "-c", ENSURE_USER_SCRIPT, "sh", user, passwordFile], {
    encoding: "utf8",
  });
  return out.trim();
}

function keygen(file: string, comment: string, passphrase = ""): void {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", passphrase, "-C", comment, "-f", file], {
    stdio: "ignore",
  });
}

function fingerprint(publicKeyFile: string): string {
  const out = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", publicKeyFile], { encoding: "utf8" });
  const match = /SHA256:[A-Za-z0-9+/]{43}/.exec(out);
  if (!match) throw new Error(`unexpected ssh-keygen output: ${out}`);
  return match[0];
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

/** Resolves once something on the port answers with an SSH identification string. */
function waitForBanner(
  port: number,
  child: ChildProcess,
  logs: () => string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        reject(new Error(`sshd exited during start-up:\n${logs()}`));
        return;
      }
      if (Date.now() > deadline) {
        reject(new Error(`sshd did not answer on port ${port}:\n${logs()}`));
        return;
      }
      const socket = net.connect(port, "127.0.0.1");
      socket.setTimeout(1000);
      socket.once("data", (data) => {
        socket.destroy();
        if (data.toString("latin1").startsWith("SSH-")) resolve();
        else setTimeout(attempt, 50);
      });
      const retry = () => {
        socket.destroy();
        setTimeout(attempt, 50);
      };
      socket.once("error", retry);
      socket.once("timeout", retry);
    };
    attempt();
  });
}

/** Pids whose parent is `pid` — the per-connection sshd processes of our listener. */
function childPids(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // The process ended while we were looking.
    }
  }
  return found;
}

function config(dir: string, port: number, user: string, extra: string[]): string {
  return [
    ...extra,
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${dir}/ssh_host_ed25519_key`,
    `PidFile ${dir}/sshd.pid`,
    `AuthorizedKeysFile ${dir}/authorized_keys`,
    // The config and keys live under /tmp, which StrictModes would reject.
    "StrictModes no",
    // Without PAM, sshd checks /etc/shadow itself; that is why the account gets a real password.
    "UsePAM no",
    "PasswordAuthentication yes",
    "KbdInteractiveAuthentication no",
    "PubkeyAuthentication yes",
    "PermitRootLogin no",
    `AllowUsers ${user}`,
    "PrintMotd no",
    "PrintLastLog no",
    "LogLevel INFO",
    "MaxStartups 100:30:200",
    "MaxSessions 50",
    "Subsystem sftp internal-sftp",
    "",
  ].join("\n");
}

export async function startSshd(options: SshdOptions = {}): Promise<TestSshd> {
  const user = options.user ?? process.env.NOSTROMO_TEST_SSH_USER ?? DEFAULT_TEST_USER;
  const password = ensureTestUser(user);
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });

  const parent = options.parentDir ?? os.tmpdir();
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, "nostromo-sshd-"));
  // sshd reads authorized_keys with the user's privileges, so the directory must be traversable.
  chmodSync(dir, 0o755);
  const passphrase = "correct horse battery staple";
  if (options.hostKeyPath && existsSync(options.hostKeyPath)) {
    copyFileSync(options.hostKeyPath, `${dir}/ssh_host_ed25519_key`);
    copyFileSync(`${options.hostKeyPath}.pub`, `${dir}/ssh_host_ed25519_key.pub`);
    chmodSync(`${dir}/ssh_host_ed25519_key`, 0o600);
  } else {
    keygen(`${dir}/ssh_host_ed25519_key`, "nostromo-test-host");
    if (options.hostKeyPath) {
      copyFileSync(`${dir}/ssh_host_ed25519_key`, options.hostKeyPath);
      copyFileSync(`${dir}/ssh_host_ed25519_key.pub`, `${options.hostKeyPath}.pub`);
    }
  }
  keygen(`${dir}/client_key`, "nostromo-test-client");
  keygen(`${dir}/client_key_encrypted`, "nostromo-test-client-encrypted", passphrase);
  const authorized = [`${dir}/client_key.pub`, `${dir}/client_key_encrypted.pub`].map((f) =>
    readFileSync(f, "utf8"),
  );
  writeFileSync(`${dir}/authorized_keys`, authorized.join(""), { mode: 0o644 });

  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    writeFileSync(`${dir}/sshd_config`, config(dir, port, user, options.extraConfig ?? []));
    let log = "";
    const child = spawn(SSHD_PATH, ["-D", "-e", "-f", `${dir}/sshd_config`], {
      stdio: ["ignore", "pipe", "pipe"],
      detached: options.ownSession ?? false,
    });
    const append = (chunk: Buffer) => {
      if (log.length < 1_000_000) log += chunk.toString("utf8");
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    try {
      await waitForBanner(port, child, () => log);
    } catch (err) {
      lastError = err;
      child.kill("SIGKILL");
      continue;
    }
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once("exit", () => resolve());
    });
    return {
      host: "127.0.0.1",
      port,
      user,
      password,
      privateKey: readFileSync(`${dir}/client_key`, "utf8"),
      encryptedPrivateKey: readFileSync(`${dir}/client_key_encrypted`, "utf8"),
      passphrase,
      hostPublicKey: readFileSync(`${dir}/ssh_host_ed25519_key.pub`, "utf8").trim(),
      hostKeyFingerprint: fingerprint(`${dir}/ssh_host_ed25519_key.pub`),
      dir,
      logs: () => log,
      stop: async () => {
        if (child.pid !== undefined) {
          for (const pid of childPids(child.pid)) {
            try {
              process.kill(pid, "SIGTERM");
            } catch {
              // Already gone.
            }
          }
        }
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(timer);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error("sshd failed to start");
}
