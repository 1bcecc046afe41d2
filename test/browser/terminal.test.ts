// The live terminal in Chromium against the whole chain: wrangler dev, PostgreSQL, the real agent and a
// real OpenSSH sshd. WebGL is turned off so xterm draws with its DOM renderer (the fallback path), whose
// rows the test can read. Two browser contexts are two people: an Observer joins from the live-sessions
// list, sees the same screen and cannot type, then the Command Center kills the owner's login and the
// owner's terminal closes; a blocked command's notice; an approver in another browser approves and denies
// held commands; an invited colleague told on Live sessions joins from the notice, is handed typing and
// loses it again; reconnection after a network blip; a TCP tunnel in Live sessions (its type, port and
// traffic, no terminal to join) ended from there; the Command Center's remote sessions list a live SSH
// session (also at phone width) and its Kill ends it, closing its viewer's socket.
import { existsSync, rmSync } from "node:fs";
import { Viewer } from "@nostromo/testkit";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { waitFor } from "../e2e/harness.ts";
import { type LiveEnv, startLive } from "../e2e/live.ts";
import { type ConsoleEnv, fitsWidth, openConsole, PHONE, screenshot, signIn } from "./harness.ts";

let live: LiveEnv;
let env: ConsoleEnv;

beforeAll(async () => {
  live = await startLive("console-terminal");
  env = await openConsole(live.e2e, ["--disable-webgl", "--disable-3d-apis"]);
});
afterAll(async () => {
  await env?.close();
  await live?.close();
});

it("opens a terminal on a connection, types a command and sees its output, then ends the session", async () => {
  const page = await (await env.context()).newPage();
  await page.goto(`${env.demo}/connections`);
  await signIn(page, env.demoAdmin);
  const row = page.locator("tr", { hasText: "sshd on loopback" });
  await row.getByRole("button", { name: /Open terminal/ }).click();
  await page.waitForURL(/\/terminal\//);
  await page.getByText("You can type").waitFor();
  await page.getByText(/^Edge \d+ ms$/).waitFor();
  const rows = page.locator(".xterm-rows");
  await expect
    .poll(async () => (await rows.innerText()).trim().length, { timeout: 20_000 })
    .toBeGreaterThan(0);
  await page.getByRole("application", { name: "Terminal" }).click();
  await page.keyboard.type("echo browser-$((6*7))");
  await page.keyboard.press("Enter");
  await expect.poll(async () => rows.innerText(), { timeout: 20_000 }).toMatch(/^browser-42$/m);
  await screenshot(page, "tenant-terminal");

  await page.getByRole("button", { name: "End session" }).click();
  await page.waitForURL("**/connections");
  expect(env.problems).toEqual([]);
});

async function makeUser(role: string, email: string, name = `${role} Terminal`) {
  const roles = await live.admin.call<{ data: { id: string; name: string }[] }>("GET", "/api/roles");
  const who = { email, password: `${role.toLowerCase()}-password-12` };
  const made = await live.admin.call("POST", "/api/users", {
    ...who,
    name,
    role_id: roles.body.data.find((r) => r.name === role)?.id,
  });
  expect(made.status).toBe(201);
  return who;
}

const screenOf = (page: Page) => page.locator(".xterm-rows").innerText();

/** Signs `who` in in a new browser context and opens a terminal on the loopback sshd connection. */
async function openTerminal(who: { email: string; password: string }, init?: string) {
  const ctx = await env.context();
  if (init) await ctx.addInitScript(init);
  const page = await ctx.newPage();
  await page.goto(`${env.demo}/connections`);
  await signIn(page, who);
  await page
    .locator("tr", { hasText: "sshd on loopback" })
    .getByRole("button", { name: /Open terminal/ })
    .click();
  await page.getByText("You can type").waitFor();
  const id = new URL(page.url()).pathname.split("/").at(-1) ?? "";
  return { page, ctx, id };
}

async function typeLine(page: Page, line: string) {
  await page.getByRole("application", { name: "Terminal" }).click();
  await page.keyboard.type(line);
  await page.keyboard.press("Enter");
}

const sees = (page: Page, line: RegExp) =>
  expect.poll(() => screenOf(page), { timeout: 20_000 }).toMatch(line);

it("lets an Observer watch the same screen without typing; killing the owner's login closes the owner's terminal", async () => {
  const owner = await makeUser("Technician", "owner-terminal@demo-e2e.example");
  const observer = await makeUser("Observer", "observer-terminal@demo-e2e.example");

  const mine = await (await env.context()).newPage();
  await mine.goto(`${env.demo}/connections`);
  await signIn(mine, owner);
  await mine
    .locator("tr", { hasText: "sshd on loopback" })
    .getByRole("button", { name: /Open terminal/ })
    .click();
  await mine.getByText("You can type").waitFor();
  await mine.getByRole("application", { name: "Terminal" }).click();
  await mine.keyboard.type("echo owner-$((20+1))");
  await mine.keyboard.press("Enter");
  await expect.poll(() => screenOf(mine), { timeout: 20_000 }).toMatch(/^owner-21$/m);

  const theirs = await (await env.context()).newPage();
  await theirs.goto(`${env.demo}/live`);
  await signIn(theirs, observer);
  await theirs.getByRole("heading", { name: "Live sessions" }).waitFor();
  await theirs.getByRole("link", { name: /Join/ }).first().waitFor();
  await screenshot(theirs, "tenant-live-sessions");
  await theirs.getByRole("link", { name: /Join/ }).first().click();
  await theirs.getByText("Read-only").waitFor();
  // The snapshot: what was on the owner's screen before the Observer came.
  await expect.poll(() => screenOf(theirs), { timeout: 20_000 }).toMatch(/^owner-21$/m);
  await theirs.getByRole("application", { name: "Terminal" }).click();
  await theirs.keyboard.type("echo observer-typed");
  await theirs.keyboard.press("Enter");
  // The owner's next command is answered after anything typed before it: the Observer's line never arrived.
  await mine.keyboard.type("echo owner-again");
  await mine.keyboard.press("Enter");
  await expect.poll(() => screenOf(theirs), { timeout: 20_000 }).toMatch(/^owner-again$/m);
  expect(await screenOf(mine)).not.toContain("observer-typed");
  const observerRow = mine.getByRole("listitem").filter({ hasText: /Observer Terminal\s*viewer/ });
  await observerRow.waitFor();
  // The owner may hand typing over, but never to an Observer; the Observer has no control at all.
  expect(await observerRow.getByRole("button").count()).toBe(0);
  expect(await theirs.getByRole("button", { name: /type|Invite/ }).count()).toBe(0);
  await screenshot(theirs, "tenant-terminal-observer");
  // At phone width the watcher still reads the screen and sees they are read-only, and nothing spills
  // sideways out of the page (the terminal scrolls inside its own frame).
  await theirs.setViewportSize(PHONE);
  await theirs.getByText("Read-only").waitFor();
  await expect.poll(() => screenOf(theirs), { timeout: 20_000 }).toMatch(/^owner-again$/m);
  expect(await fitsWidth(theirs)).toBe(true);
  await screenshot(theirs, "tenant-terminal-observer-phone");

  const admin = await (await env.context()).newPage();
  await admin.goto(`${env.platform}/cc/sessions`);
  await signIn(admin, env.superAdmin, "");
  const row = admin.locator("tr[data-login]", { hasText: owner.email });
  await row.getByRole("button", { name: /Kill/ }).click();
  await admin.getByRole("dialog").getByRole("button", { name: "Kill login" }).click();
  await row.waitFor({ state: "detached" });
  await mine.getByText(/^Disconnected: /).waitFor({ timeout: 20_000 });
  expect(env.problems).toEqual([]);
});

it("shows a blocked command's notice apart from the output; an approver in another browser decides held commands", async () => {
  const files = ["blocked", "approve-yes", "approve-no"].map((f) => `/tmp/nostromo-browser-${f}`);
  for (const f of files) rmSync(f, { force: true });
  const [blockedFile, yesFile, noFile] = files as [string, string, string];
  for (const body of [
    { name: "Browser blocks", rule: "No browser marker", pattern: "nostromo-browser-blocked" },
    { name: "Browser approvals", rule: "Browser marker needs approval", pattern: "nostromo-browser-approve" },
  ]) {
    const made = await live.admin.call("POST", "/api/policies", {
      name: body.name,
      require_approval: body.name === "Browser approvals",
      blocked_commands: [{ name: body.rule, pattern_type: "regex", pattern: body.pattern, severity: "high" }],
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
  }
  const typist = await makeUser("Technician", "typist-terminal@demo-e2e.example", "Tess Typist");
  const { page: mine } = await openTerminal(typist);

  await typeLine(mine, `touch ${blockedFile}`);
  const blocked = mine.getByRole("alert").filter({ hasText: 'Blocked by "No browser marker"' });
  await blocked.waitFor();
  expect(await blocked.innerText()).toContain("Reason:");
  await typeLine(mine, "echo after-block-$((2*4))");
  await sees(mine, /^after-block-8$/m);
  expect(await screenOf(mine)).not.toContain("Blocked by");
  expect(existsSync(blockedFile)).toBe(false);

  await typeLine(mine, `touch ${yesFile} && echo approved-$((6*7))`);
  await mine
    .getByRole("alert")
    .filter({ hasText: /^Waiting for approval: touch/ })
    .waitFor();
  // The approver is told on Live sessions and opens the session from there: the room shows what waits.
  const approver = await (await env.context()).newPage();
  await approver.goto(`${env.demo}/live`);
  await signIn(approver, env.demoAdmin);
  const waiting = approver.getByRole("region", { name: "Waiting for approval" });
  await waiting.getByRole("button", { name: `Approve touch ${yesFile} && echo approved-$((6*7))` }).waitFor();
  await screenshot(approver, "tenant-live-approvals");
  await waiting.getByRole("link", { name: /Open session/ }).click();
  const ask = approver.getByRole("alert").filter({ hasText: `Tess Typist asks to run: touch ${yesFile}` });
  await ask.waitFor();
  await screenshot(approver, "tenant-terminal-approval");
  await ask.getByRole("button", { name: "Approve" }).click();
  await sees(mine, /^approved-42$/m);
  await mine.getByText(`Approved by Demo Admin: touch ${yesFile}`, { exact: false }).waitFor();
  expect(existsSync(yesFile)).toBe(true);

  // The next one is denied from the Live sessions list, without opening the session.
  await approver.goto(`${env.demo}/live`);
  await typeLine(mine, `touch ${noFile} && echo denied-ran`);
  await waiting.getByRole("button", { name: `Deny touch ${noFile} && echo denied-ran` }).click();
  await waiting.waitFor({ state: "detached" });
  await mine.getByText(`Denied by Demo Admin: touch ${noFile}`, { exact: false }).waitFor();
  await mine.getByRole("alert").filter({ hasText: 'Blocked by "Browser marker needs approval"' }).waitFor();
  await typeLine(mine, "echo after-deny-$((3*3))");
  await sees(mine, /^after-deny-9$/m);
  expect(await screenOf(mine)).not.toMatch(/^denied-ran$/m);
  expect(existsSync(noFile)).toBe(false);
  await screenshot(mine, "tenant-terminal-blocked");
  for (const f of files) rmSync(f, { force: true });
  expect(env.problems).toEqual([]);
});

it("hands typing to an invited colleague and takes it back", async () => {
  const host = await makeUser("Technician", "host-terminal@demo-e2e.example", "Hana Host");
  const colleague = await makeUser("Technician", "colleague-terminal@demo-e2e.example", "Cole Colleague");
  const { page: mine, id } = await openTerminal(host);

  await mine.getByRole("button", { name: "Invite a colleague" }).click();
  await mine
    .getByLabel("Colleague", { exact: true })
    .selectOption({ label: `Cole Colleague (${colleague.email})` });
  await mine.getByLabel("as", { exact: true }).selectOption("viewer");
  await mine.getByRole("button", { name: "Invite", exact: true }).click();
  await mine.getByText("Invited Cole Colleague as viewer").waitFor();

  // The colleague is told on Live sessions, by whom and with which rights, and joins from the notice.
  const theirs = await (await env.context()).newPage();
  await theirs.goto(`${env.demo}/live`);
  await signIn(theirs, colleague);
  const invitations = theirs.getByRole("region", { name: "Invitations" });
  await invitations.getByText(/^Hana Host invited you to ssh-\d+ as viewer\.$/).waitFor();
  await invitations.getByRole("link", { name: /Join/ }).click();
  await theirs.waitForURL(`**/terminal/${id}`);
  await theirs.getByText("You: viewer").waitFor();
  await theirs.getByText("Read-only").waitFor();
  await mine.getByRole("button", { name: "Let Cole Colleague type" }).click();
  await theirs.getByText("You can type").waitFor();
  await typeLine(theirs, "echo colleague-$((8*8))");
  await sees(mine, /^colleague-64$/m);
  await mine
    .getByRole("listitem")
    .filter({ hasText: "Cole Colleague" })
    .getByText("may type", { exact: true })
    .waitFor();
  await screenshot(mine, "tenant-terminal-handover");
  await mine.getByRole("button", { name: "Take typing back from Cole Colleague" }).click();
  await theirs.getByText("Read-only").waitFor();
  expect(env.problems).toEqual([]);
});

/** Keeps the page's WebSockets reachable, so the test can drop one as a network blip would. */
const TRACK_SOCKETS = `(() => {
  const Native = window.WebSocket;
  const all = [];
  window.__sockets = all;
  window.WebSocket = class extends Native {
    constructor(...args) { super(...args); all.push(this); }
  };
})()`;

it("reconnects by itself after a network blip, with the screen intact; stops once the session ended meanwhile", async () => {
  const { page, ctx, id } = await openTerminal(env.demoAdmin, TRACK_SOCKETS);
  await typeLine(page, "echo before-blip-$((3*3))");
  await sees(page, /^before-blip-9$/m);
  await ctx.setOffline(true);
  await page.evaluate("window.__sockets.at(-1).close()");
  await page.getByText("Reconnecting… (attempt 2 of 6)").waitFor();
  await ctx.setOffline(false);
  await page.getByText(/^Reconnecting…/).waitFor({ state: "detached", timeout: 20_000 });
  await page.getByText("You can type").waitFor();
  expect(await screenOf(page)).toMatch(/^before-blip-9$/m);
  expect(await page.getByRole("button", { name: "Reconnect" }).count()).toBe(0);
  await typeLine(page, "echo after-blip-$((5*5))");
  await sees(page, /^after-blip-25$/m);

  // A second blip, during which the session is ended: back online, the page says so and stops trying.
  await ctx.setOffline(true);
  await page.evaluate("window.__sockets.at(-1).close()");
  await page.getByText(/^Reconnecting…/).waitFor();
  expect((await live.admin.call("DELETE", `/api/remote-sessions/${id}`)).status).toBe(200);
  await ctx.setOffline(false);
  await page.getByText("The session ended while you were disconnected").waitFor();
  await page.getByText(/^Reconnecting…/).waitFor({ state: "detached" });
  expect(await page.getByRole("button", { name: "Reconnect" }).count()).toBe(0);
  // The tries made while offline are logged by Chromium as failed connections: expected here, nothing else.
  expect(env.problems.filter((p) => !p.includes("net::ERR_INTERNET_DISCONNECTED"))).toEqual([]);
});

it("shows a tunnel in Live sessions as a tunnel (type, port, traffic, no Join) and ends it there", async () => {
  const seen = env.problems.length;
  const t = await live.admin.call<{ id: string; session_id: string; ws_url: string }>(
    "POST",
    "/api/tunnels",
    {
      connection_id: live.connectionId,
    },
  );
  expect(t.status, JSON.stringify(t.body)).toBe(201);
  // Some traffic, as a tunnel client would make: one stream to the sshd, which greets with its banner.
  const ws = new WebSocket(`${live.e2e.stack.url.replace(/^http/, "ws")}${t.body.ws_url}`, {
    headers: { cookie: `sid=${live.admin.cookie}`, "x-tenant-id": live.admin.tenantId ?? "" },
  });
  let down = 0;
  ws.on("message", (d: Buffer, binary: boolean) => {
    if (binary) down += d.length - 4;
  });
  const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  ws.send(JSON.stringify({ t: "tcp.open", stream: 1 }));
  await waitFor("the sshd's banner through the tunnel", async () => down > 0);
  const hello = Buffer.from("SSH-2.0-tunnel-test\r\n");
  const frame = Buffer.alloc(4 + hello.length);
  frame.writeUInt32BE(1, 0);
  hello.copy(frame, 4);
  ws.send(frame);

  const page = await (await env.context()).newPage();
  await page.goto(`${env.demo}/live`);
  await signIn(page, env.demoAdmin);
  const row = page.locator('tr[data-type="tunnel"]', { hasText: t.body.session_id });
  await row.waitFor();
  await expect
    .poll(() => row.innerText(), { timeout: 20_000 })
    .toMatch(
      new RegExp(`tunnel[\\s\\S]*port ${live.sshd.port}[\\s\\S]*↑ ${hello.length} B ↓ [\\d.]+ k?B · 1 open`),
    );
  expect(await row.getByRole("link", { name: /Join/ }).count()).toBe(0);
  await screenshot(page, "tenant-live-tunnel");
  await row.getByRole("button", { name: /End/ }).click();
  await page.getByRole("dialog").getByRole("button", { name: "End tunnel" }).click();
  await row.waitFor({ state: "detached", timeout: 20_000 });
  expect(await closed).toBe(1000);
  const s = await live.admin.call<{ status: string; type: string }>(
    "GET",
    `/api/remote-sessions/${t.body.id}`,
  );
  expect(s.body).toMatchObject({ status: "ended", type: "tunnel" });
  expect(env.problems.slice(seen)).toEqual([]);
});

it("lists a live SSH session in the Command Center's remote sessions, and Kill ends it", async () => {
  const seen = env.problems.length;
  const s = await live.start();
  const viewer = await Viewer.open(live.admin, s.id);
  await viewer.until("hello", () => Boolean(viewer.frame("hello")));
  const page = await (await env.context()).newPage();
  await page.goto(`${env.platform}/cc/sessions`);
  await signIn(page, env.superAdmin, "");
  // The logins show first; the toggle shows every tenant's remote sessions instead.
  await page.getByRole("heading", { name: "Active sessions" }).waitFor();
  const toggle = page.getByRole("button", { name: "Remote sessions" });
  expect(await toggle.getAttribute("aria-pressed")).toBe("false");
  await toggle.click();
  expect(await toggle.getAttribute("aria-pressed")).toBe("true");
  await page.getByRole("heading", { name: "Remote sessions" }).waitFor();
  const row = page.locator(`tr[data-remote-session="${s.session_id}"]`);
  await row.waitFor();
  const cells = await row.locator("td").allTextContents();
  expect(cells.slice(0, 3)).toEqual([s.session_id, "Demo Company", "ssh"]);
  expect(cells[3]).toContain("sshd on loopback");
  expect(cells[4]).toBe(env.demoAdmin.email);
  expect(cells[6]).toBe("1");
  await screenshot(page, "command-center-remote-sessions");

  const phone = await (await env.context({ phone: true, dark: true })).newPage();
  await phone.goto(`${env.platform}/cc/sessions`);
  await signIn(phone, env.superAdmin, "");
  await phone.getByRole("button", { name: "Remote sessions" }).click();
  await phone.locator(`[data-remote-session="${s.session_id}"]`).waitFor();
  expect(await fitsWidth(phone)).toBe(true);

  // Escape cancels; then Kill ends it at once.
  await row.getByRole("button", { name: /Kill/ }).click();
  const dialog = page.getByRole("dialog", { name: `Kill ${s.session_id}?` });
  await dialog.waitFor();
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  expect(await row.count()).toBe(1);
  await row.getByRole("button", { name: /Kill/ }).click();
  await dialog.getByRole("button", { name: "Kill session" }).click();
  await row.waitFor({ state: "detached", timeout: 20_000 });
  await page.getByText(`${s.session_id} of Demo Company was ended.`).waitFor();
  await viewer.until("socket closed", () => viewer.closed !== null);
  viewer.close();
  const after = await live.admin.call<{ status: string }>("GET", `/api/remote-sessions/${s.id}`);
  expect(after.body.status).toBe("ended");
  expect(env.problems.slice(seen)).toEqual([]);
});
