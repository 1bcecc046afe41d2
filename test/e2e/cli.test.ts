// The `nostromo` CLI (its esbuild bundle, the shipped artifact) against the real stack — workerd,
// PostgreSQL, the agent, OpenSSH — run under a real pseudo-terminal (tmux): log in with a password and a
// TOTP code typed at hidden prompts; `ssh` to the target, type and read the output from the pane; resize
// the pane and see `tput cols` follow; a blocked command shows its notice; `exit 3` makes the CLI exit 3;
// `~.` disconnects and leaves the terminal as it was; a network blip redraws the screen as it was; `exec`
// streams (the first line arrives while the command still runs) and propagates exit codes; `join` sees
// another user's screen and `join --type` types into it; bash completes on TAB and zsh loads the script;
// `recordings download` gives the same bytes as the API, `recordings play` replays it (skip, pause); errors
// carry the API's code; `login --sso` signs in through an OpenID Provider or a SAML IdP (cli-sso.ts).
import { spawn } from "node:child_process";
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Viewer } from "@nostromo/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { frames, parseCast } from "../../apps/cli/src/cast.ts";
import { ssoLoginCases } from "./cli-sso.ts";
import { BIN, CliSuite, recorded, run, tcpProxy, totp } from "./cli-support.ts";
import { DEMO_ADMIN, waitFor } from "./harness.ts";
import { userWithRole } from "./live.ts";

const PROMPT = /\$ $/m;
const suite = new CliSuite();

beforeAll(() => suite.start(), 240_000);
afterAll(() => suite.close());

describe("the nostromo CLI", () => {
  it("logs in at hidden prompts with a password and a TOTP code, into a 0600 config", async () => {
    const t = suite.pane(
      "login",
      `node ${BIN} login ${suite.live.e2e.stack.url} --tenant ${suite.live.e2e.stack.demoTenantId} --email ${DEMO_ADMIN.email}; sleep 30`,
    );
    await t.waitFor(/Password: $/m);
    t.type(DEMO_ADMIN.password);
    t.press("Enter");
    await t.waitFor(/Authenticator code: $/m);
    t.type(totp(suite.secret));
    t.press("Enter");
    const screen = await t.waitFor(/Signed in as/);
    expect(screen).not.toContain(DEMO_ADMIN.password);
    expect(statSync(suite.env.NOSTROMO_CONFIG as string).mode & 0o777).toBe(0o600);
    const who = await suite.cli("whoami", "--json");
    expect(who.code).toBe(0);
    expect(who.stdout).toContain(DEMO_ADMIN.email);
    const ls = await suite.cli("ls");
    expect(ls.stdout).toContain("sshd on loopback");
  }, 60_000);

  it("ssh: types into the remote shell, follows a resize, shows a blocked command's notice, exits with the remote status", async () => {
    const out = join(suite.dir, "ssh-exit");
    const t = suite.pane("ssh", recorded(`node ${BIN} ssh "sshd on loopback"`, out), { cols: 100, rows: 30 });
    await t.waitFor(PROMPT);
    t.type("echo cli-$((6*7))");
    t.press("Enter");
    await t.waitFor(/^cli-42$/m);
    t.resize(132, 40);
    await new Promise((r) => setTimeout(r, 300));
    t.type("tput cols");
    t.press("Enter");
    await t.waitFor(/^132$/m);
    t.type("touch /tmp/cli-blocked");
    t.press("Enter");
    await t.waitFor(/nostromo .*(block|Block)/);
    t.type("exit 3");
    t.press("Enter");
    await waitFor("exit status", async () => readFileSync(out, "utf8").includes("exit="), 20_000);
    const r = readFileSync(out, "utf8");
    expect(r).toContain("exit=3");
    expect(r).toMatch(/^icanon$/m);
  }, 90_000);

  it("ssh: ~. disconnects (255) and restores the terminal; Ctrl-C went to the remote shell", async () => {
    const out = join(suite.dir, "escape-exit");
    const t = suite.pane("escape", recorded(`node ${BIN} ssh "sshd on loopback"`, out));
    await t.waitFor(PROMPT);
    t.type("sleep 100");
    t.press("Enter");
    await t.waitFor(/sleep 100\s*$/m);
    t.press("C-c");
    // Ctrl-C reached the remote shell: the sleep is interrupted and a new prompt follows it.
    await t.waitFor(/sleep 100[\s\S]*\$ $/m);
    t.press("Enter");
    t.type("~.");
    await waitFor("exit status", async () => readFileSync(out, "utf8").includes("exit="), 20_000);
    const r = readFileSync(out, "utf8");
    expect(r).toContain("exit=255");
    expect(r).toMatch(/^icanon$/m);
  }, 60_000);

  it("ssh: a network blip is survived — the socket reopens and the screen is redrawn as it was", async () => {
    const proxy = await tcpProxy(suite.live.e2e.port);
    try {
      const cfg = JSON.parse(readFileSync(suite.env.NOSTROMO_CONFIG as string, "utf8"));
      const current = cfg.contexts[cfg.current];
      cfg.contexts.proxied = { ...current, url: `http://127.0.0.1:${proxy.port}` };
      writeFileSync(suite.env.NOSTROMO_CONFIG as string, JSON.stringify(cfg), { mode: 0o600 });
      const t = suite.pane("blip", `node ${BIN} --context proxied ssh "sshd on loopback"; sleep 30`);
      await t.waitFor(PROMPT);
      t.type("for i in 1 2 3 4 5; do echo before-$((i*11)); done");
      t.press("Enter");
      await t.waitFor(/^before-55\n.*\$ $/m);
      const lines = (s: string) =>
        s
          .split("\n")
          .map((l) => l.trimEnd())
          .filter(Boolean);
      const before = lines(t.visible());
      expect(before.slice(-6, -1)).toEqual(["before-11", "before-22", "before-33", "before-44", "before-55"]);
      expect(before.at(-1)).toMatch(/\$$/);
      proxy.cut();
      await t.waitFor(/reconnected/);
      // The room's snapshot clears the screen and redraws it: the notices are gone from the visible screen
      // and every line from before the blip is back, in place.
      await waitFor("the screen redrawn", async () => !/reconnect/.test(t.visible()));
      expect(lines(t.visible())).toEqual(before);
      t.type("echo after-$((1+1))");
      t.press("Enter");
      await t.waitFor(/^after-2$/m);
      t.type("exit");
      t.press("Enter");
    } finally {
      proxy.close();
    }
  }, 60_000);

  it("exec propagates the remote exit status and output; a blocked command exits 4 with the API's code", async () => {
    const ok = await suite.cli("exec", "sshd on loopback", "--", "echo", "from-exec");
    expect(ok).toMatchObject({ code: 0, stdout: "from-exec\n" });
    expect((await suite.cli("exec", "sshd on loopback", "--", "sh -c 'exit 5'")).code).toBe(5);
    const blocked = await suite.cli("exec", "sshd on loopback", "--", "touch", "/tmp/cli-blocked");
    expect(blocked.code).toBe(4);
    expect(blocked.stderr).toContain("FORBIDDEN");
    const missing = await suite.cli("exec", "no such server", "--", "true");
    expect(missing.code).toBe(5);
  }, 60_000);

  it("exec streams: the first line arrives while the command still runs; stderr apart; the exit status", async () => {
    // The remote command (on this machine, through sshd) prints a line, then waits until the test has seen
    // that line and creates the release file, then prints another. Without streaming, the first line
    // could only arrive after the release: the command would time out instead.
    const release = join(tmpdir(), `nostromo-exec-release-${process.pid}`);
    rmSync(release, { force: true });
    const command = `echo first-line; echo err-line >&2; while [ ! -e ${release} ]; do sleep 0.1; done; echo second-line; exit 7`;
    const child = spawn(
      process.execPath,
      [BIN, "exec", "--timeout", "60", "sshd on loopback", "--", command],
      {
        env: { ...process.env, ...suite.env },
      },
    );
    const events: string[] = [];
    let stdout = "";
    let stderr = "";
    const exited = new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    child.on("exit", () => events.push("exited"));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
          stdout += d.toString();
          if (stdout.includes("first-line") && !events.includes("first-line")) {
            events.push("first-line");
            // The command is still running: it waits for this file.
            writeFileSync(release, "go");
            events.push("released");
            resolve();
          }
        });
        child.on("exit", () => reject(new Error(`exited before the first line: ${stdout} ${stderr}`)));
      });
      expect(await exited).toBe(7);
      expect(events).toEqual(["first-line", "released", "exited"]);
      expect(stdout).toBe("first-line\nsecond-line\n");
      expect(stderr).toContain("err-line");
      // --json still answers one JSON document, with the same status.
      const json = await suite.cli("--json", "exec", "sshd on loopback", "--", "echo one; exit 9");
      expect(json.code).toBe(9);
      expect(JSON.parse(json.stdout)).toMatchObject({ output: "one\n", exit_code: 9 });
    } finally {
      child.kill();
      rmSync(release, { force: true });
    }
  }, 90_000);

  it("join sees another user's live screen", async () => {
    const s = await suite.live.start();
    const v = await Viewer.open(suite.live.admin, s.id);
    const t = suite.pane("join", `node ${BIN} join ${s.session_id}; sleep 30`);
    await t.waitFor(/\$ $/m);
    v.type("echo joined-$((2*21))\r");
    await t.waitFor(/^joined-42$/m);
    v.close();
    await suite.live.admin.call("DELETE", `/api/remote-sessions/${s.id}`);
  }, 60_000);

  it("join --type: a collaborator the owner lets type joins, and what it types reaches the shell", async () => {
    const tech = await userWithRole(suite.live, "Technician", {
      email: "tech-cli@demo-e2e.example",
      name: "Tech CLI",
      password: "tech-cli-password-1",
    });
    const me = await tech.call<{ principal: { id: string } }>("GET", "/api/auth/me");
    const s = await suite.live.start();
    const v = await Viewer.open(suite.live.admin, s.id);
    const inv = await suite.live.admin.call("POST", `/api/remote-sessions/${s.id}/participants`, {
      user_id: me.body.principal.id,
      role: "collaborator",
    });
    expect(inv.status, JSON.stringify(inv.body)).toBe(200);
    const login = await run(
      "sh",
      [
        "-c",
        `printf %s tech-cli-password-1 | "${process.execPath}" ${BIN} login ${suite.live.e2e.stack.url} --tenant ${suite.live.e2e.stack.demoTenantId} --email tech-cli@demo-e2e.example --password-stdin --name tech`,
      ],
      { env: { ...process.env, ...suite.env } },
    );
    expect(login.stdout + login.stderr).toContain("Signed in as");
    const t = suite.pane("join-type", `node ${BIN} --context tech join ${s.session_id} --type; sleep 30`);
    await t.waitFor(/\$ $/m);
    t.type("echo typed-by-tech-$((20+3))");
    t.press("Enter");
    await waitFor("the technician's command ran", async () => v.text().includes("typed-by-tech-23"));
    await t.waitFor(/^typed-by-tech-23$/m);
    v.close();
    await suite.live.admin.call("DELETE", `/api/remote-sessions/${s.id}`);
  }, 60_000);

  it("completion: bash completes a subcommand on TAB; zsh loads the script", async () => {
    const script = join(suite.dir, "nostromo.bash");
    writeFileSync(script, (await suite.cli("completion", "bash")).stdout);
    const t = suite.pane("completion", "bash --norc --noprofile -i");
    await t.waitFor(/[#$] $/m);
    t.type(`source ${script}`);
    t.press("Enter");
    t.type("nostromo recordings p");
    t.press("Tab");
    await t.waitFor(/nostromo recordings play $/m);
    t.press("C-u");
    t.type("nostromo rec");
    t.press("Tab");
    await t.waitFor(/nostromo recordings *$/m);

    const zsh = join(suite.dir, "_nostromo");
    writeFileSync(zsh, (await suite.cli("completion", "zsh")).stdout);
    await run("zsh", ["-n", zsh]);
    const loaded = await run("zsh", [
      "-f",
      "-c",
      `autoload -U compinit && compinit -u -D && source ${zsh} && print -r -- "\${_comps[nostromo]}"`,
    ]);
    expect(loaded.stdout).toContain("_nostromo");
  }, 60_000);

  it("recordings download gives the bytes the API serves; policy test answers", async () => {
    const s = await suite.live.start();
    const v = await Viewer.open(suite.live.admin, s.id);
    const rec = await suite.live.admin.call<{ recording_id: string }>(
      "POST",
      `/api/remote-sessions/${s.id}/recording`,
      { enabled: true },
    );
    const recId = rec.body.recording_id;
    expect(recId, JSON.stringify(rec.body)).toBeTruthy();
    v.type("echo recorded-line-$((2*3))\r");
    await waitFor("output", async () => v.text().includes("recorded-line-6"));
    await suite.live.admin.call("DELETE", `/api/remote-sessions/${s.id}`);
    v.close();
    await waitFor("recording ready", async () => {
      const r = await suite.live.admin.call<{ status: string }>("GET", `/api/recordings/${recId}`);
      return r.body.status === "ready";
    });
    const file = join(suite.dir, "rec.cast");
    expect((await suite.cli("recordings", "download", String(recId), "-o", file)).code).toBe(0);
    const api = await fetch(`${suite.live.e2e.stack.url}/api/recordings/${recId}/download`, {
      headers: {
        cookie: `sid=${suite.live.admin.cookie}`,
        "x-tenant-id": suite.live.e2e.stack.demoTenantId ?? "",
      },
    });
    expect(Buffer.compare(readFileSync(file), Buffer.from(await api.arrayBuffer()))).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("recorded-line-6");

    const d = await suite.cli("policy", "test", "touch /tmp/cli-blocked");
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/^BLOCK/m);
  }, 90_000);
  it("recordings play: replays at real speed; n skips a wait, space pauses (n then steps one frame)", async () => {
    const s = await suite.live.start();
    const v = await Viewer.open(suite.live.admin, s.id);
    const rec = await suite.live.admin.call<{ recording_id: string }>(
      "POST",
      `/api/remote-sessions/${s.id}/recording`,
      { enabled: true },
    );
    const recId = String(rec.body.recording_id);
    v.type("echo play-$((1+1))-one; sleep 1; echo play-$((2+2))-two\r");
    await waitFor("output", async () => v.text().includes("play-4-two"));
    await suite.live.admin.call("DELETE", `/api/remote-sessions/${s.id}`);
    v.close();
    await waitFor("recording ready", async () => {
      const r = await suite.live.admin.call<{ status: string }>("GET", `/api/recordings/${recId}`);
      return r.body.status === "ready";
    });

    // Real speed, to the end.
    const out = join(suite.dir, "play-exit");
    const real = suite.pane("play", recorded(`node ${BIN} recordings play ${recId}`, out));
    await real.waitFor(/^play-2-one$[\s\S]*^play-4-two$/m);
    await waitFor("play exit status", async () => readFileSync(out, "utf8").includes("exit="), 20_000);
    expect(readFileSync(out, "utf8")).toContain("exit=0");

    // Slowed so far down that only keys move it on. The frames that wait, up to the first marker's frame,
    // are how many skips reach it (a frame with no wait needs none).
    const cast = await suite.cli("recordings", "download", recId);
    const list = frames(parseCast(cast.stdout).events, { speed: 1e-9, idleLimit: 2 });
    const reach = (marker: string) => {
      let upTo = "";
      return list.findIndex((f) => {
        upTo += f.data;
        return upTo.includes(marker);
      });
    };
    const [one, two] = [reach("play-2-one\r\n"), reach("play-4-two\r\n")];
    expect(two, JSON.stringify(list)).toBeGreaterThan(one);
    const skips = list.slice(0, one + 1).filter((f) => f.wait > 0).length;
    const t = suite.pane("play-keys", `node ${BIN} recordings play ${recId} --speed 1e-9; sleep 30`);
    await t.waitForTitle(new RegExp(`▶ \\d+/${list.length}$`));
    t.type("n".repeat(skips));
    await t.waitFor(/^play-2-one$/m);
    expect(t.screen()).not.toMatch(/^play-4-two$/m);
    // Paused, each n writes exactly one frame more and the player stays paused.
    t.type(" ");
    const at = Number(/❚❚ (\d+)\//.exec(await t.waitForTitle(/❚❚ \d+\//))?.[1]);
    expect(at).toBeLessThanOrEqual(two);
    for (let i = at; i <= two; i++) {
      t.type("n");
      await t.waitForTitle(new RegExp(`❚❚ ${i + 1}/`));
    }
    await t.waitFor(/^play-4-two$/m);
  }, 90_000);

  ssoLoginCases(suite);
});
