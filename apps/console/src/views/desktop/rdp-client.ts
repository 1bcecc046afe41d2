// The IronRDP web client (`@devolutions/iron-remote-desktop`, a custom element, with its RDP backend
// `@devolutions/iron-remote-desktop-rdp`, WebAssembly) mounted in a host element and connected through the
// session's RDP socket. Imported only by the desktop view's lazy chunk. The edge is the client's
// "gateway": the agent behind it is the RDCleanPath proxy and dials only the connection's host, so the
// destination and the proxy token named here carry nothing. No credential is given to the client: the
// user signs in at the server's own logon screen (docs/live-sessions.md, RDP sessions, says why); CredSSP
// (NLA) is turned off because it needs the password in the browser.
// Size: the desktop is asked at the host's size (desktop-size.ts); when the host resizes, the client asks
// the server to follow over the display control channel (servers without it keep their size) and the
// screen is drawn scaled to fit the host either way. The element's own sizing writes style attributes,
// which the console's Content-Security-Policy refuses, so the drawn size is set here through the CSSOM.
// A recording's player (rdp-player.tsx) and a watcher (rdp-watch.ts) build the same client with the
// recorded (or the owner's) size and hand it a stand-in socket (rdp-replay.ts) for its connect.
import type { IronError, UserInteraction } from "@devolutions/iron-remote-desktop";
import { desktopSizeFor, fitInside, type Size } from "./desktop-size.ts";
import { installStandIn } from "./rdp-replay.ts";

export interface RdpClient {
  ctrlAltDel(): void;
  close(): void;
}

export interface RdpHandlers {
  connected(size: Size): void;
  /** The remote desktop's size changed (the server followed a resize). */
  resized(size: Size): void;
  ended(reason: string): void;
  failed(message: string): void;
}

let wasmReady: Promise<unknown> | null = null;

/** How long the host keeps a new size before the server is asked to follow (a drag resizes many times). */
const RESIZE_SETTLE_MS = 250;

/** A recording played instead of a live session: the desktop size its client asked for, and the stand-in
 * for the socket the client opens. */
export interface Replay {
  size: Size;
  socket(url: string): EventTarget;
}

/** `clipboard`: the connection's policy allows clipboard transfer; off, the client offers no clipboard
 * channel (and the room renames one a client offers anyway: workers/session-room/rdp-channels.ts). */
export async function mountRdp(
  host: HTMLElement,
  socketUrl: string,
  clipboard: boolean,
  h: RdpHandlers,
  replay?: Replay,
): Promise<RdpClient> {
  const [, rdp] = await Promise.all([
    import("@devolutions/iron-remote-desktop"),
    import("@devolutions/iron-remote-desktop-rdp"),
  ]);
  wasmReady ??= rdp.init("WARN");
  await wasmReady;
  const el = document.createElement("iron-remote-desktop") as HTMLElement & { module?: unknown };
  el.module = rdp.Backend;
  el.setAttribute("scale", "fit");
  el.setAttribute("flexcenter", "true");
  el.setAttribute("aria-label", "Remote desktop");
  let ui: UserInteraction | null = null;
  const ready = new Promise<UserInteraction>((resolve) =>
    el.addEventListener("ready", (e) => resolve((e as CustomEvent).detail.irgUserInteraction), {
      once: true,
    }),
  );
  host.replaceChildren(el);
  ui = await ready;
  // The element sets its clipboard up after announcing `ready`, awaiting a permission query first; a
  // client connected before that never offers the clipboard channel. Queries are answered in order: once
  // a first one of ours (asked around the element's) is answered, a second one is asked after the
  // element's, so its answer comes after the element has finished.
  if (clipboard && window.isSecureContext) {
    const query = () =>
      navigator.permissions.query({ name: "clipboard-read" as PermissionName }).catch(() => null);
    await query();
    await query();
  }
  const area = () => ({ width: host.clientWidth, height: host.clientHeight });
  const asked = replay?.size ?? desktopSizeFor(area());
  const config = ui
    .configBuilder()
    .withUsername("")
    .withPassword("")
    .withDestination("rdp")
    .withProxyAddress(socketUrl)
    .withAuthToken("edge")
    .withDesktopSize(asked)
    .withExtension(rdp.enableCredssp(false))
    .withExtension(rdp.displayControl(true))
    .build();
  const session = ui;
  session.setEnableClipboard(clipboard);
  const canvas = el.shadowRoot?.querySelector("canvas") ?? null;
  let requested = asked;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let live = false;
  const fit = () => {
    const viewer = canvas?.parentElement;
    if (!canvas || !viewer) return;
    const drawn = fitInside(area(), { width: canvas.width, height: canvas.height });
    viewer.style.width = `${drawn.width}px`;
    viewer.style.height = `${drawn.height}px`;
  };
  // The server answers a resize with a new desktop size: the client resizes the canvas.
  const canvasSize = new MutationObserver(() => {
    fit();
    if (live && canvas) h.resized({ width: canvas.width, height: canvas.height });
  });
  if (canvas) canvasSize.observe(canvas, { attributes: true, attributeFilter: ["width", "height"] });
  const hostSize = new ResizeObserver(() => {
    fit();
    clearTimeout(timer);
    timer = setTimeout(() => {
      const next = desktopSizeFor(area());
      if (!live || replay || (next.width === requested.width && next.height === requested.height)) return;
      requested = next;
      session.resize(next.width, next.height);
    }, RESIZE_SETTLE_MS);
  });
  hostSize.observe(host);
  // The wasm opens its socket some turns into connect: the stand-in stays until then (it puts the page's
  // WebSocket back when it is constructed), or until the client fails or closes first.
  const restore = replay ? installStandIn(replay.socket) : () => {};
  void session
    .connect(config)
    .then((info) => {
      session.setVisibility(true);
      live = true;
      const size = info.initialDesktopSize;
      fit();
      h.connected({ width: size.width, height: size.height });
      return info.run();
    })
    .then((end) => {
      // The element hides its canvas when the session ends; a recording keeps its last picture on show.
      if (replay) session.setVisibility(true);
      h.ended(end.reason());
    })
    .catch((err: unknown) => {
      restore();
      h.failed(describe(err));
    });
  return {
    ctrlAltDel: () => session.ctrlAltDel(),
    close: () => {
      restore();
      live = false;
      clearTimeout(timer);
      hostSize.disconnect();
      canvasSize.disconnect();
      try {
        session.shutdown();
      } catch {
        // not connected yet
      }
      el.remove();
    },
  };
}

function describe(err: unknown): string {
  const e = err as Partial<IronError>;
  if (typeof e?.kind === "function") {
    const details = e.rdcleanpathDetails?.();
    const why = details?.wsaErrorCode
      ? ` (network error ${details.wsaErrorCode})`
      : details?.httpStatusCode
        ? ` (HTTP ${details.httpStatusCode})`
        : details?.tlsAlertCode
          ? ` (TLS alert ${details.tlsAlertCode})`
          : "";
    return `${KINDS[e.kind()] ?? "Connection failed"}${why}`;
  }
  return err instanceof Error ? err.message : String(err);
}

const KINDS: Record<number, string> = {
  0: "Connection failed",
  1: "Wrong password",
  2: "Logon failed",
  3: "Access denied",
  4: "The agent could not reach the RDP server",
  5: "Could not reach the session's socket",
  6: "The server refused the security the client offered",
};
