// RDP sessions against Debian's xrdp on a loopback port, through the whole chain: wrangler dev (the Worker and
// the session's SessionRoom), PostgreSQL, the real agent as the RDCleanPath proxy, and Chromium running the
// console's IronRDP client. One stack for every case:
// - the RDCleanPath handshake driven from Node through the edge: the response carries xrdp's own X.224
//   confirm and its certificate (the destination the client names is ignored), the closing audit row the
//   bytes each way; another user may not open the owner's RDP socket;
// - the console opens the connection and shows xrdp's logon screen (a non-blank canvas), and what is
//   typed into it reaches the server; the session, auto-recorded, has its recording row (codec rdp, the
//   client's desktop size) and the recordings page's player draws the same screen as the live view last did;
//   an Observer watching the live session sees the owner's picture;
// - `nostromo tunnel` to the same connection: a native client's X.224 handshake gets through to xrdp.
import { execFile, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { connect } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { startXrdp, type Xrdp, x224ConnectionRequest } from "@nostromo/testkit";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import WebSocket from "ws";
import { decodeResponse, encodeRequest } from "../../containers/agent/src/rdcleanpath.ts";
import { DEMO_ADMIN, Http, ROOT, waitFor } from "../e2e/harness.ts";
import { type LiveEnv, startLive, userWithRole } from "../e2e/live.ts";
import { type ConsoleEnv, openConsole, PHONE, screenshot, signIn } from "./harness.ts";
import {
  CANVAS_COLOURS,
  CANVAS_HASH,
  CANVAS_SIZE,
  type CanvasSize,
  DIALOG_MARGIN_NOISE,
} from "./rdp-canvas.ts";

let live: LiveEnv;
let xrdp: Xrdp;
let rdpConnection: string;
let noClipboardConnection: string;
let env: ConsoleEnv;

beforeAll(async () => {
  xrdp = await startXrdp();
  live = await startLive("console-rdp");
  const agents = await live.admin.call<{ data: { id: string }[] }>("GET", "/api/agents");
  const xrdpConnection = (name: string, tags: string[] = []) =>
    live.admin.call<{ id: string }>("POST", "/api/connections", {
      name,
      type: "rdp",
      hostname: "127.0.0.1",
      port: xrdp.port,
      username: "nostromo-test",
      auth_method: "password",
      password: "never-sent-to-the-browser",
      agent_id: agents.body.data[0]?.id,
      tags,
    });
  const r = await xrdpConnection("xrdp on loopback");
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  rdpConnection = r.body.id;
  const off = await xrdpConnection("xrdp without clipboard", ["clipboard:off"]);
  expect(off.status, JSON.stringify(off.body)).toBe(201);
  noClipboardConnection = off.body.id;
  env = await openConsole(live.e2e);
}, 240_000);

afterAll(async () => {
  await env?.close();
  await live?.close();
  await xrdp?.stop();
});

function rdpSocket(client: Http, wsUrl: string): WebSocket {
  const headers: Record<string, string> = { "x-tenant-id": client.tenantId ?? "" };
  if (client.cookie) headers.cookie = `sid=${client.cookie}`;
  return new WebSocket(`${client.base.replace(/^http/, "ws")}${wsUrl}`, { headers });
}

async function startRdp(client: Http) {
  const r = await client.call<{ id: string; session_id: string; status: string; ws_url: string }>(
    "POST",
    "/api/remote-sessions",
    { connection_id: rdpConnection, cols: 120, rows: 30 },
  );
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

describe("RDP through the agent", () => {
  it("proxies the RDCleanPath handshake to xrdp and audits the bytes when the session ends", async () => {
    const s = await startRdp(live.admin);
    expect(s.session_id).toMatch(/^rdp-\d+$/);
    expect(s.status).toBe("active");
    const ws = rdpSocket(live.admin, s.ws_url);
    ws.binaryType = "nodebuffer";
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const request = encodeRequest({
      destination: "198.51.100.7:3389", // ignored: the agent dials the connection's host:port only
      proxyAuth: "unused",
      x224: x224ConnectionRequest(1),
    });
    const answer = new Promise<Buffer>((resolve) => ws.once("message", (d: Buffer) => resolve(d)));
    ws.send(request);
    // A watcher's socket (the viewer route) is read-only: what it sends never reaches the server (the
    // closing audit row's bytes up below are the owner's request alone).
    const watcher = rdpSocket(live.admin, `/api/remote-sessions/${s.id}/ws`);
    await new Promise((resolve, reject) => {
      watcher.once("open", resolve);
      watcher.once("error", reject);
    });
    watcher.send(x224ConnectionRequest(1));
    const res = decodeResponse(new Uint8Array(await answer));
    expect(res?.error).toBeNull();
    expect(res?.x224?.[5]).toBe(0xd0); // X.224 connection confirm
    expect(res?.x224?.[15]).toBe(1); // PROTOCOL_SSL selected
    const cert = new crypto.X509Certificate(fs.readFileSync(path.join(xrdp.dir, "cert.pem")));
    expect(Buffer.from(res?.chain[0] ?? []).equals(cert.raw)).toBe(true);
    expect(res?.serverAddr).toBe(`127.0.0.1:${xrdp.port}`);
    // The Command Center counts the session's bytes each way.
    const root = new Http(live.e2e.stack.url);
    await root.login(inject("superAdmin").email, inject("superAdmin").password);
    const listed = await root.call<{
      data: { id: string; bytes_up: number | null; bytes_down: number | null }[];
    }>("GET", "/api/admin/remote-sessions?type=rdp&page_size=200");
    expect(listed.body.data.find((r) => r.id === s.id)).toMatchObject({
      bytes_up: request.byteLength,
      bytes_down: (await answer).byteLength,
    });
    // A recording cannot start mid-stream: it replays only from the connection's first byte.
    const rec = await live.admin.call("POST", `/api/remote-sessions/${s.id}/recording`, { enabled: true });
    expect(rec.status).toBe(409);

    const closed = new Promise((r) => ws.once("close", r));
    const watcherClosed = new Promise((r) => watcher.once("close", r));
    expect((await live.admin.call("DELETE", `/api/remote-sessions/${s.id}`)).status).toBe(200);
    await closed;
    await watcherClosed;
    const closing = async () => {
      const a = await live.admin.call<{ data: { session_id: string; metadata: Record<string, unknown> }[] }>(
        "GET",
        "/api/audit?type=session.ended&page_size=50",
      );
      return a.body.data.filter((e) => e.session_id === s.id && e.metadata.bytes_up !== undefined);
    };
    await waitFor("the closing audit row", async () => (await closing()).length > 0);
    // One closing row, written by the RDP relay alone (not also by the tunnel relay's part of the room).
    const rows = await closing();
    expect(rows).toHaveLength(1);
    const row = rows[0] as (typeof rows)[number];
    expect(row.metadata.rdp).toBe(true);
    expect(row.metadata.bytes_up).toBe(request.byteLength);
    expect(row.metadata.bytes_down).toBeGreaterThan(cert.raw.byteLength);
  });

  it("keeps the RDP socket for the user who started the session", async () => {
    const s = await startRdp(live.admin);
    const other = await userWithRole(live, "Technician", {
      email: "rdp-other@demo.example",
      name: "Other Technician",
      password: "other-tech-password-12",
    });
    const ws = rdpSocket(other, s.ws_url);
    const status = await new Promise<number>((resolve) => {
      ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.once("open", () => resolve(101));
    });
    expect(status).toBe(403);
    await live.admin.call("DELETE", `/api/remote-sessions/${s.id}`);
  });
});

describe("the console", () => {
  it("opens an rdp connection and shows the server's screen, unsheared, following the window's size", async () => {
    const record = (on: boolean) =>
      live.admin.call("PATCH", "/api/settings", { settings: { auto_record_sessions: on } });
    expect((await record(true)).status).toBe(200);
    const page = await (await env.context()).newPage();
    // A laptop's common width, not a multiple of 8: the desktop asked for is (desktop-size.ts).
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${env.demo}/connections`);
    await signIn(page, env.demoAdmin);
    const row = page.locator("tr", { hasText: "xrdp on loopback" });
    await row.getByRole("button", { name: /Open desktop/ }).click();
    await page.waitForURL(/\/desktop\//);
    const sessionId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
    await page.locator(".desktop-page .badge", { hasText: "connected" }).waitFor({ timeout: 30_000 });
    // xrdp's logon screen: a coloured background and a dialog — many colours, not one blank fill.
    await expect.poll(async () => page.evaluate(CANVAS_COLOURS), { timeout: 30_000 }).toBeGreaterThan(3);
    const first = (await page.evaluate(CANVAS_SIZE)) as CanvasSize;
    expect(first.width % 8).toBe(0);
    expect(first.width).toBeGreaterThan(first.host.width - 16);
    expect(await page.locator(".desktop-page .session-facts").textContent()).toContain(
      `${first.width}×${first.height}`,
    );
    // Measured: 4 per thousand on a clean dialog, 112 on xrdp's default 350-px one (sheared).
    expect(await page.evaluate(`${DIALOG_MARGIN_NOISE}(352, 430)`)).toBeLessThan(20);
    await screenshot(page, "rdp");
    // Clipboard allowed on this connection: the client asks xrdp for its clipboard channel.
    expect(await page.locator(".desktop-clipboard").textContent()).toBe("Clipboard shared");
    expect(xrdpChannels()).toContain("cliprdr");

    // Keyboard and mouse reach the server: a click in the dialog's username field and typed letters
    // change what xrdp draws there.
    const before = await page.evaluate(CANVAS_HASH);
    const size = (await page.evaluate(CANVAS_SIZE)) as CanvasSize;
    const box = size.box;
    // The dialog (352×430) is centred; a point inside its username field is (+180, +252) from its corner.
    const x = box.x + ((size.width - 352) / 2 + 180) * (box.width / size.width);
    const y = box.y + ((size.height - 430) / 2 + 252) * (box.height / size.height);
    await page.mouse.click(x, y);
    await page.keyboard.type("nostromo");
    await expect.poll(async () => page.evaluate(CANVAS_HASH), { timeout: 15_000 }).not.toBe(before);

    // An Observer watches: their client, fed the session's stream from its first byte, draws the owner's
    // picture — the logon dialog with the typed name.
    const roles = await live.admin.call<{ data: { id: string; name: string }[] }>("GET", "/api/roles");
    const observer = { email: "observer-rdp@demo-e2e.example", password: "observer-password-12" };
    const made = await live.admin.call("POST", "/api/users", {
      ...observer,
      name: "Observer Rdp",
      role_id: roles.body.data.find((r) => r.name === "Observer")?.id,
    });
    expect(made.status).toBe(201);
    const theirs = await (await env.context()).newPage();
    await theirs.setViewportSize({ width: 1366, height: 768 });
    await theirs.goto(`${env.demo}/live`);
    await signIn(theirs, observer);
    await theirs.locator(`a[href="/desktop/${sessionId}?watch"]`).click();
    await theirs.getByText("Watching: read-only").waitFor();
    const owners = await page.evaluate(CANVAS_HASH);
    await expect.poll(async () => theirs.evaluate(CANVAS_HASH), { timeout: 30_000 }).toBe(owners);
    await screenshot(theirs, "rdp-watching");
    await theirs.close();

    // The window gets wider than the desktop's shape (and 1201 px, not a multiple of 4): the remote screen
    // follows — drawn scaled to fit the host whole, its aspect kept (xrdp 0.9's logon screen keeps its
    // desktop size: the display-control request is not answered there, so the size itself is not asserted).
    await page.setViewportSize({ width: 1201, height: 600 });
    await expect
      .poll(async () => {
        const now = (await page.evaluate(CANVAS_SIZE)) as CanvasSize;
        const fits = now.box.width <= now.host.width + 1 && now.box.height <= now.host.height + 1;
        const aspect = Math.abs(now.box.width / now.box.height - now.width / now.height) < 0.01;
        return { fits, aspect, smaller: now.box.height < first.box.height };
      })
      .toEqual({ fits: true, aspect: true, smaller: true });
    // Phone width: the 640-px desktop drawn scaled down inside the area.
    await page.setViewportSize(PHONE);
    await expect
      .poll(async () => {
        const now = (await page.evaluate(CANVAS_SIZE)) as CanvasSize;
        return now.box.width <= now.host.width + 1 && now.host.width < 400;
      })
      .toBe(true);
    await screenshot(page, "rdp-phone");

    const last = await page.evaluate(CANVAS_HASH);
    await page.getByRole("button", { name: "End session" }).click();
    await page.waitForURL("**/connections");
    expect((await record(false)).status).toBe(200);

    // The recording: its row, then the player drawing what the live view last showed.
    const rec = await waitFor("the RDP recording, ready", async () => {
      const got = await live.admin.call<{ data: Record<string, unknown>[] }>(
        "GET",
        `/api/recordings?session_id=${sessionId}`,
      );
      const r = got.body.data[0];
      return r?.status === "ready" ? r : undefined;
    });
    expect(rec).toMatchObject({
      codec: "rdp",
      mime_type: "application/x-nostromo-rdp",
      resolution: `${first.width}x${first.height}`,
    });
    expect(String(rec.file_name)).toMatch(/^rdp-\d+\.rdp$/);
    expect(rec.file_size_bytes).toBeGreaterThan(10_000);
    expect(rec.frames_per_second).toBeGreaterThan(0);
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${env.demo}/recordings`);
    await page.getByRole("heading", { name: "Recordings" }).waitFor();
    const played = page.locator("tr", { hasText: String(rec.session_public_id) });
    await played.getByRole("button", { name: /^Play/ }).click();
    await page.getByText("End of recording").waitFor({ timeout: 60_000 });
    await expect.poll(async () => page.evaluate(CANVAS_HASH), { timeout: 15_000 }).toBe(last);
    // …and shows it: drawn inside the player's area (the element hides its canvas when a session ends).
    const shown = (await page.evaluate(
      CANVAS_SIZE.replace(".desktop-host", "[data-testid=rdp-replay]"),
    )) as CanvasSize;
    expect(shown.box.x).toBeGreaterThanOrEqual(0);
    expect(shown.box.width).toBeGreaterThan(shown.host.width / 2);
    await screenshot(page.getByTestId("rdp-replay"), "rdp-recording-player");
    // IronRDP's element sizes its canvas with style attributes, which the console's Content-Security-Policy
    // refuses by design (style-src 'self'); the view sizes the remote desktop to its host instead.
    const cspStyle = /\/(desktop\/|recordings).*Applying inline style violates .*'style-src 'self''/;
    expect(env.problems.filter((p) => !cspStyle.test(p))).toEqual([]);
  });
});

/** The static channels clients asked xrdp for, as its debug log names them, in order. */
function xrdpChannels(): string[] {
  return [...xrdp.logs().matchAll(/Adding channel: name (\S+), channel id/g)].map((m) => m[1] as string);
}

describe("the clipboard as the connection's setting", () => {
  it("is not offered, and a client that offers it anyway has it renamed by the room", async () => {
    const page = await (await env.context()).newPage();
    await page.goto(`${env.demo}/connections`);
    await signIn(page, env.demoAdmin);
    const open = async () => {
      const row = page.locator("tr", { hasText: "xrdp without clipboard" });
      await row.getByRole("button", { name: /Open desktop/ }).click();
      await page.waitForURL(/\/desktop\//);
      await page.locator(".desktop-page .badge", { hasText: "connected" }).waitFor({ timeout: 30_000 });
    };
    const seen = xrdpChannels().length;
    // The console reads the policy and its client offers no clipboard channel.
    await open();
    expect(await page.locator(".desktop-clipboard").textContent()).toBe(
      "Clipboard off by the connection's policy",
    );
    await expect.poll(() => xrdpChannels().length, { timeout: 15_000 }).toBeGreaterThan(seen);
    expect(xrdpChannels().slice(seen)).not.toContain("cliprdr");
    await page.getByRole("button", { name: "End session" }).click();
    await page.waitForURL("**/connections");

    // A client that ignores the policy (here: told the connection has no tags) offers `cliprdr`; the room
    // renames it in the channel list before xrdp sees it.
    const real = await live.admin.call<{ tags: string[] }>(
      "GET",
      `/api/connections/${noClipboardConnection}`,
    );
    await page.route(`**/api/connections/${noClipboardConnection}`, (route) =>
      route.fulfill({ json: { ...real.body, tags: [] } }),
    );
    const before = xrdpChannels().length;
    await open();
    expect(await page.locator(".desktop-clipboard").textContent()).toBe("Clipboard shared");
    await expect.poll(() => xrdpChannels().length, { timeout: 15_000 }).toBeGreaterThan(before);
    const asked = xrdpChannels().slice(before);
    expect(asked).not.toContain("cliprdr");
    expect(asked).toContain("nocopy");
    await page.getByRole("button", { name: "End session" }).click();
    await page.waitForURL("**/connections");
  });
});

describe("nostromo tunnel to an rdp connection", () => {
  it("carries a native client's X.224 handshake to xrdp", async () => {
    const run = promisify(execFile);
    const bin = path.join(ROOT, "apps/cli/bin/nostromo.mjs");
    await run(process.execPath, [path.join(ROOT, "apps/cli/build.mjs")]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nostromo-rdp-tunnel-"));
    const cliEnv = { ...process.env, NOSTROMO_CONFIG: path.join(dir, "config.json") };
    const login = execFile(
      process.execPath,
      [bin, "login", live.e2e.stack.url, "--tenant", live.e2e.stack.demoTenantId].concat([
        "--email",
        DEMO_ADMIN.email,
        "--password-stdin",
      ]),
      { env: cliEnv },
    );
    login.stdin?.end(`${DEMO_ADMIN.password}\n`);
    expect(await new Promise((r) => login.once("exit", r))).toBe(0);
    const tunnel = spawn(process.execPath, [bin, "tunnel", "xrdp on loopback", "--local", "0", "--json"], {
      env: cliEnv,
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const info = await new Promise<{ local_port: number }>((resolve, reject) => {
        let out = "";
        tunnel.stdout?.on("data", (d: Buffer) => {
          out += d.toString();
          try {
            resolve(JSON.parse(out));
          } catch {
            // not complete yet
          }
        });
        tunnel.once("exit", (code) => reject(new Error(`tunnel exited ${code}: ${out}`)));
      });
      const socket = connect(info.local_port, "127.0.0.1");
      const confirm = await new Promise<Buffer>((resolve, reject) => {
        socket.once("data", resolve);
        socket.once("error", reject);
        socket.write(x224ConnectionRequest(1));
      });
      socket.destroy();
      expect(confirm[0]).toBe(3); // TPKT
      expect(confirm[5]).toBe(0xd0); // X.224 connection confirm
      expect(confirm[11]).toBe(0x02); // RDP_NEG_RSP
      expect(confirm[15]).toBe(1); // TLS selected
    } finally {
      tunnel.kill("SIGINT");
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
