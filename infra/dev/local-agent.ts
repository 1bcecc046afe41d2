// `npm start`'s local agent (enrolled on first start, its credential kept in the data dir) and the demo SSH
// target (the local OpenSSH sshd plus a "Demo SSH target" connection through that agent). Both are
// registered with the supervisor the moment they start, so a shutdown at any moment stops them.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { StartError } from "./start-error.ts";
import type { Supervisor } from "./supervisor.ts";

const ROOT = resolve(import.meta.dirname, "../..");

type Login = { email: string; password: string };
type Api = <T>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }>;

async function adminSession(sup: Supervisor, url: string, tenantId: string, admin: Login): Promise<Api> {
  const base = { "content-type": "application/json", "x-tenant-id": tenantId };
  const login = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: base,
    body: JSON.stringify(admin),
    signal: sup.signal,
  });
  if (login.status !== 200)
    throw new Error(`the demo admin could not log in: ${login.status} ${await login.text()}`);
  const sid = /sid=([^;]+)/.exec(login.headers.get("set-cookie") ?? "")?.[1];
  const { csrf_token } = (await login.json()) as { csrf_token: string };
  const headers = { ...base, cookie: `sid=${sid}`, "x-csrf-token": csrf_token };
  return async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: sup.signal,
    });
    return { status: res.status, body: (await res.json()) as T };
  };
}

/** Enrols (first start only: the credential is kept in stateDir) and runs the agent as a child process. */
export async function startLocalAgent(
  sup: Supervisor,
  url: string,
  stateDir: string,
  tenantId: string,
  demoAdmin: Login,
  log: (line: string) => void,
): Promise<void> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/root",
    NOSTROMO_URL: url.replace("localhost", "127.0.0.1"),
    NOSTROMO_STATE_DIR: stateDir,
    NOSTROMO_METRICS_INTERVAL_MS: "5000",
    NOSTROMO_AGENT_NAME: "local-agent",
    NOSTROMO_LOG_LEVEL: process.env.NOSTROMO_AGENT_LOG_LEVEL ?? "warn",
  };
  if (!existsSync(join(stateDir, "credentials.json"))) {
    const api = await adminSession(sup, url, tenantId, demoAdmin);
    const res = await api<{ token: string }>("POST", "/api/agents/enrollment-tokens", {
      name: "local-agent",
      expires_in_minutes: 10,
    });
    if (res.status !== 201)
      throw new StartError(
        "local agent",
        `could not create an enrolment token: ${res.status} ${JSON.stringify(res.body)}`,
        "check the demo admin's login (NOSTROMO_DEMO_EMAIL / NOSTROMO_DEMO_PASSWORD) matches the data dir",
      );
    env.NOSTROMO_ENROLL_TOKEN = res.body.token;
  }
  const child = sup.spawn(
    "agent",
    process.execPath,
    ["--import", "tsx", join(ROOT, "containers/agent/src/main.ts")],
    { tier: "app", cwd: ROOT, env, stdio: ["ignore", "inherit", "inherit"] },
  );
  child.once("exit", (code) => {
    if (code && !sup.stopping) log(`the local agent exited with code ${code}`);
  });
}

/** The listener's PID from the PidFile our sshd config names (recorded for a crashed run's cleanup). */
function sshdPid(dir: string): number | undefined {
  try {
    return Number(readFileSync(join(dir, "sshd.pid"), "utf8")) || undefined;
  } catch {
    return undefined;
  }
}

/** A demo SSH target: the local OpenSSH sshd on a loopback port (needs root to create its login user), and
 * a demo connection to it through the local agent, so a new user can open a session at once. */
export async function startDemoTarget(
  sup: Supervisor,
  url: string,
  dataDir: string,
  tenantId: string,
  demoAdmin: Login,
  log: (line: string) => void,
): Promise<void> {
  if (!existsSync("/usr/sbin/sshd") || process.getuid?.() !== 0) {
    log(
      "no demo SSH target: it needs OpenSSH's sshd (apt-get install openssh-server) and root to create its user",
    );
    return;
  }
  const { startSshd } = await import("@nostromo/testkit");
  // The demo server's folder lives in the data dir; one left by a run killed with SIGKILL (whose sshd the
  // start-up has already stopped) is removed here.
  const sshdParent = join(dataDir, "demo-sshd");
  rmSync(sshdParent, { recursive: true, force: true });
  const sshd = await sup.own(
    "demo sshd",
    "app",
    () =>
      startSshd({ hostKeyPath: join(dataDir, "demo-ssh-host-key"), parentDir: sshdParent, ownSession: true }),
    (s) => s.stop(),
    (s) => sshdPid(s.dir),
  );
  const api = await adminSession(sup, url, tenantId, demoAdmin);
  let agentId: string | undefined;
  for (let i = 0; i < 60 && !agentId; i++) {
    sup.check();
    const agents = await api<{ data: { id: string; online: boolean }[] }>("GET", "/api/agents");
    agentId = agents.body.data.find((a) => a.online)?.id;
    if (!agentId) await new Promise((r) => setTimeout(r, 500));
  }
  if (!agentId) {
    log("the local agent did not come online; no demo connection");
    return;
  }
  const fields = {
    hostname: "127.0.0.1",
    port: sshd.port,
    username: sshd.user,
    auth_method: "password",
    password: sshd.password,
    agent_id: agentId,
  };
  const list = await api<{ data: { id: string; name: string }[] }>(
    "GET",
    "/api/connections?search=Demo%20SSH%20target",
  );
  const existing = list.body.data.find((c) => c.name === "Demo SSH target");
  const r = existing
    ? await api("PATCH", `/api/connections/${existing.id}`, fields)
    : await api("POST", "/api/connections", {
        name: "Demo SSH target",
        description: "The local sshd, through the local agent",
        environment: "development",
        ...fields,
      });
  if (r.status >= 300) log(`could not save the demo connection: ${r.status} ${JSON.stringify(r.body)}`);
  else log(`demo SSH target: sshd on 127.0.0.1:${sshd.port} as ${sshd.user}, connection "Demo SSH target"`);
}
