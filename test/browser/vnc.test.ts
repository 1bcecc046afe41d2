// VNC in the console against the whole chain: wrangler dev, PostgreSQL, the real agent, and Debian's Xvfb +
// x11vnc (password-protected, -shared) started here. The owner opens the desktop from Connections and sees
// the colour painted on the X display (a pixel of noVNC's canvas); an Observer who joins late sees the
// current screen at once, but their pointer never reaches the X server while the owner's does (the room
// drops input by RFB message type; xdotool reads the server's pointer); the recording, started while the
// desktop is on screen, goes on when the owner reloads the page and replays in the recordings page with
// the seed's fields filled. Clipboard text
// crosses both ways through the console's clipboard panel, and neither way on a connection tagged
// clipboard:off (the room drops it on the wire; the page's own socket shows what reached it).
import { startVnc, type VncServer, waitFor } from "@nostromo/testkit";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type LiveEnv, startLive } from "../e2e/live.ts";
import { type ConsoleEnv, DESKTOP, fitsWidth, openConsole, PHONE, screenshot, signIn } from "./harness.ts";

let live: LiveEnv;
let env: ConsoleEnv;
let vnc: VncServer;
let sessionId = "";
let recordingId = "";

const RED = [255, 0, 0];
const GREEN = [0, 255, 0];
const BLUE = [0, 0, 255];

beforeAll(async () => {
  [live, vnc] = await Promise.all([
    startLive("console-vnc"),
    startVnc({ password: "vnc-Pass-9", width: 640, height: 400 }),
  ]);
  await vnc.paint("#ff0000");
  env = await openConsole(live.e2e);
  const agents = await live.admin.call<{ data: { id: string }[] }>("GET", "/api/agents");
  const made = await live.admin.call<{ id: string }>("POST", "/api/connections", {
    name: "desktop on loopback",
    type: "vnc",
    hostname: "127.0.0.1",
    port: vnc.port,
    username: "vnc",
    auth_method: "password",
    password: "vnc-Pass-9",
    agent_id: agents.body.data[0]?.id,
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
});
afterAll(async () => {
  await env?.close();
  await live?.close();
  await vnc?.stop();
});

/** The colour at a point of noVNC's canvas inside `box` (fractions of its size), or null before it draws.
 * (A string: this file is type-checked without the DOM library.) */
function pixel(page: Page, box: string, fx = 0.5, fy = 0.5): Promise<number[] | null> {
  return page.evaluate(`(() => {
    const c = document.querySelector('[data-testid="${box}"] canvas');
    if (!c || !c.width) return null;
    const d = c.getContext("2d").getImageData(Math.floor(c.width * ${fx}), Math.floor(c.height * ${fy}), 1, 1).data;
    return [d[0], d[1], d[2]];
  })()`) as Promise<number[] | null>;
}

const shows = (page: Page, color: number[], box = "vnc-screen") =>
  expect.poll(() => pixel(page, box), { timeout: 20_000 }).toEqual(color);

/** Moves the mouse over noVNC's canvas to a fraction of the desktop. */
async function pointAt(page: Page, fx: number, fy: number) {
  const canvas = page.locator('[data-testid="vnc-screen"] canvas');
  const b = await canvas.boundingBox();
  if (!b) throw new Error("no canvas");
  await page.mouse.move(b.x + b.width * fx, b.y + b.height * fy);
}

const near = (p: { x: number; y: number }, x: number, y: number) =>
  Math.abs(p.x - x) <= 4 && Math.abs(p.y - y) <= 4;

it("opens a VNC connection as a desktop from Connections and shows the X display", async () => {
  const page = await (await env.context()).newPage();
  await page.goto(`${env.demo}/connections`);
  await signIn(page, env.demoAdmin);
  await page
    .locator("tr", { hasText: "desktop on loopback" })
    .getByRole("button", { name: /Open desktop/ })
    .click();
  await page.waitForURL(/\/vnc\//);
  sessionId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
  await page.getByText("Connected", { exact: true }).waitFor({ timeout: 20_000 });
  await shows(page, RED);
  await screenshot(page, "vnc");

  // Recording from now on: the room asks the server for a full picture on the owner's stream.
  const rec = await live.admin.call<{ recording_id: string }>(
    "POST",
    `/api/remote-sessions/${sessionId}/recording`,
    {
      enabled: true,
    },
  );
  expect(rec.status, JSON.stringify(rec.body)).toBe(200);
  recordingId = rec.body.recording_id;

  // The owner reloads the page: the session, its recording and the owner's control go on.
  await page.reload();
  await page.getByText("Connected", { exact: true }).waitFor({ timeout: 20_000 });
  await shows(page, RED);

  // The owner's pointer reaches the X server.
  await vnc.movePointer(1, 1);
  await pointAt(page, 0.25, 0.25);
  await waitFor(
    "the owner's pointer on the X server",
    async () => near(await vnc.pointer(), 160, 100) || undefined,
  );

  // A late Observer (after the owner's reload) sees the current screen at once, but cannot move the
  // server's pointer.
  const roles = await live.admin.call<{ data: { id: string; name: string }[] }>("GET", "/api/roles");
  const observer = { email: "observer-vnc@demo-e2e.example", password: "observer-password-12" };
  const user = await live.admin.call("POST", "/api/users", {
    ...observer,
    name: "Observer Vnc",
    role_id: roles.body.data.find((r) => r.name === "Observer")?.id,
  });
  expect(user.status).toBe(201);
  const theirs = await (await env.context()).newPage();
  await theirs.goto(`${env.demo}/live`);
  await signIn(theirs, observer);
  await theirs.locator(`a[href="/vnc/${sessionId}"]`).click();
  await theirs.getByText("Connected", { exact: true }).waitFor({ timeout: 20_000 });
  await shows(theirs, RED);
  // The page says they watch, offers Leave instead of the owner's End, and no sending to the desktop's
  // clipboard (the room drops their input either way, which the pointer below proves: noVNC still sends it).
  await theirs.getByTestId("vnc-watching").waitFor({ timeout: 15_000 });
  await theirs.getByTestId("vnc-clipboard-watching").waitFor({ state: "attached", timeout: 15_000 });
  await theirs.getByRole("button", { name: "Leave" }).waitFor();
  expect(await theirs.getByRole("button", { name: "End session" }).count()).toBe(0);
  await screenshot(theirs, "vnc-watching");
  // At phone width the watcher still sees the desktop (scaled into the page) and the watching note.
  await theirs.setViewportSize(PHONE);
  await theirs.getByTestId("vnc-watching").waitFor();
  await shows(theirs, RED);
  expect(await fitsWidth(theirs)).toBe(true);
  await screenshot(theirs, "vnc-watching-phone");
  await theirs.setViewportSize(DESKTOP);
  expect(await theirs.getByRole("button", { name: "Send to the desktop's clipboard" }).count()).toBe(0);
  await pointAt(theirs, 0.75, 0.75);
  await theirs.keyboard.type("typed by an observer");
  // Two repaints seen by the Observer: the second answers an update request their noVNC sent after the
  // pointer event, so x11vnc has read everything the room forwarded of it by then.
  await vnc.paint("#00ff00");
  await shows(theirs, GREEN);
  await vnc.paint("#0000ff");
  await shows(theirs, BLUE);
  await shows(page, BLUE);
  expect(near(await vnc.pointer(), 160, 100)).toBe(true);

  // At phone width the desktop scales down to the screen's width (the screenshot for the docs).
  const phone = await (await env.context({ phone: true })).newPage();
  await phone.goto(`${env.demo}/vnc/${sessionId}`);
  await signIn(phone, env.demoAdmin);
  await phone.getByText("Connected", { exact: true }).waitFor({ timeout: 20_000 });
  await shows(phone, BLUE);
  await screenshot(phone, "vnc-phone");

  await page.getByRole("button", { name: "End session" }).click();
  await page.waitForURL("**/connections");
  await theirs.getByText(/Session ended/).waitFor({ timeout: 20_000 });
  expect(env.problems).toEqual([]);
});

/** Opens a connection's desktop from Connections as the demo admin; `watch` first wraps the page's
 * WebSocket so the test can read what reached the browser and write to the room as that browser. */
async function openDesktop(name: string, watch = false): Promise<Page> {
  const page = await (await env.context()).newPage();
  if (watch)
    await page.addInitScript(`(() => {
      const Native = window.WebSocket;
      const seen = (window.__rfb = { sockets: [], text: "" });
      // A function returning the native socket: noVNC reads the socket's members off its own prototype.
      window.WebSocket = function (...a) {
        const ws = new Native(...a);
        seen.sockets.push(ws);
        ws.addEventListener("message", (e) => {
          if (e.data instanceof ArrayBuffer) seen.text += new TextDecoder("latin1").decode(e.data).replace(/[^ -~]/g, "");
        });
        return ws;
      };
      window.WebSocket.prototype = Native.prototype;
      for (const k of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) window.WebSocket[k] = Native[k];
    })()`);
  await page.goto(`${env.demo}/connections`);
  await signIn(page, env.demoAdmin);
  await page
    .locator("tr", { hasText: name })
    .getByRole("button", { name: /Open desktop/ })
    .click();
  await page.waitForURL(/\/vnc\//);
  await page.getByText("Connected", { exact: true }).waitFor({ timeout: 20_000 });
  return page;
}

it("clipboard text crosses both ways, and neither way on a connection tagged clipboard:off", async () => {
  const made = await live.admin.call<{ id: string }>("POST", "/api/connections", {
    name: "desktop without clipboard",
    type: "vnc",
    hostname: "127.0.0.1",
    port: vnc.port,
    username: "vnc",
    auth_method: "password",
    password: "vnc-Pass-9",
    tags: ["clipboard:off"],
    agent_id: (await live.admin.call<{ data: { id: string }[] }>("GET", "/api/agents")).body.data[0]?.id,
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const open = await openDesktop("desktop on loopback");
  const closed = await openDesktop("desktop without clipboard", true);
  await closed.getByText("Clipboard disabled by policy").waitFor();

  // The desktop's clipboard reaches the console where it is allowed (x11vnc sends it to every client at
  // once)… and not the browser of the other session: a repaint it shows afterwards came after it on its
  // stream, and no byte of the text reached that page.
  await vnc.setClipboard("clip-from-the-desktop");
  await expect
    .poll(() => open.getByTestId("vnc-clipboard-remote").inputValue(), { timeout: 20_000 })
    .toBe("clip-from-the-desktop");
  await vnc.paint("#ffff00");
  await shows(closed, [255, 255, 0]);
  expect(await closed.evaluate("window.__rfb.text")).not.toContain("clip-from");

  // Text sent from the console reaches the desktop's clipboard.
  await open.getByText("Clipboard", { exact: true }).click();
  await open.getByLabel("To the desktop").fill("clip-from-the-console");
  await open.getByRole("button", { name: "Send to the desktop's clipboard" }).click();
  await expect.poll(() => vnc.clipboard(), { timeout: 20_000 }).toBe("clip-from-the-console");

  // Where it is off, clipboard text the browser sends (its own socket, as the owner) is dropped by the
  // room: the pointer event sent after it reaches the X server, the clipboard stays as it was.
  await closed.evaluate(`(() => {
    const ws = window.__rfb.sockets.at(-1);
    const text = new TextEncoder().encode("clip-blocked");
    const cut = new Uint8Array(8 + text.length);
    cut[0] = 6;
    new DataView(cut.buffer).setUint32(4, text.length);
    cut.set(text, 8);
    ws.send(cut);
    ws.send(new Uint8Array([5, 0, 2, 88, 1, 124]));
  })()`);
  await waitFor(
    "the pointer event after the clipboard text",
    async () => near(await vnc.pointer(), 600, 380) || undefined,
  );
  expect(await vnc.clipboard()).toBe("clip-from-the-console");

  for (const page of [open, closed]) {
    await page.getByRole("button", { name: "End session" }).click();
    await page.waitForURL("**/connections");
  }
  expect(env.problems).toEqual([]);
});

it("replays the recording in the recordings page, with resolution, frames per second and codec", async () => {
  expect(recordingId).not.toBe("");
  const r = await waitFor("recording ready", async () => {
    const got = await live.admin.call<Record<string, unknown>>("GET", `/api/recordings/${recordingId}`);
    return got.body.status === "ready" ? got.body : undefined;
  });
  expect(r).toMatchObject({ codec: "rfb", resolution: "640x400", mime_type: "application/x-nostromo-rfb" });
  expect(r.frames_per_second).toBeGreaterThan(0);
  expect(String(r.file_name)).toMatch(/^vnc-\d+\.rfb$/);

  const page = await (await env.context()).newPage();
  await page.goto(`${env.demo}/recordings`);
  await signIn(page, env.demoAdmin);
  await page.getByRole("heading", { name: "Recordings" }).waitFor();
  await page.getByRole("button", { name: /^Play/ }).first().click();
  // The recording starts on the red desktop and ends on the blue one, painted after the owner's reload.
  await shows(page, BLUE, "vnc-replay");
  await page.getByText("End of recording").waitFor({ timeout: 30_000 });
  await screenshot(page, "vnc-recording-player");
  expect(env.problems).toEqual([]);
});
