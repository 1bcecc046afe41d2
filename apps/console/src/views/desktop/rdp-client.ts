// The IronRDP web client (`@devolutions/iron-remote-desktop`, a custom element, with its RDP backend
// `@devolutions/iron-remote-desktop-rdp`, WebAssembly) mounted in a host element and connected through the
// session's RDP socket. Imported only by the desktop view's lazy chunk. The edge is the client's
// "gateway": the agent behind it is the RDCleanPath proxy and dials only the connection's host, so the
// destination and the proxy token named here carry nothing. No credential is given to the client: the
// user signs in at the server's own logon screen (docs/live-sessions.md, RDP sessions, says why); CredSSP
// (NLA) is turned off because it needs the password in the browser.
import type { IronError, UserInteraction } from "@devolutions/iron-remote-desktop";

export interface RdpClient {
  ctrlAltDel(): void;
  close(): void;
}

export interface RdpHandlers {
  connected(size: { width: number; height: number }): void;
  ended(reason: string): void;
  failed(message: string): void;
}

let wasmReady: Promise<unknown> | null = null;

export async function mountRdp(host: HTMLElement, socketUrl: string, h: RdpHandlers): Promise<RdpClient> {
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
  const width = Math.max(640, Math.floor(host.clientWidth / 8) * 8);
  const height = Math.max(480, Math.floor(host.clientHeight / 8) * 8);
  const config = ui
    .configBuilder()
    .withUsername("")
    .withPassword("")
    .withDestination("rdp")
    .withProxyAddress(socketUrl)
    .withAuthToken("edge")
    .withDesktopSize({ width, height })
    .withExtension(rdp.enableCredssp(false))
    .build();
  const session = ui;
  void session
    .connect(config)
    .then((info) => {
      session.setVisibility(true);
      const size = info.initialDesktopSize;
      h.connected({ width: size.width, height: size.height });
      return info.run();
    })
    .then((end) => h.ended(end.reason()))
    .catch((err: unknown) => h.failed(describe(err)));
  return {
    ctrlAltDel: () => session.ctrlAltDel(),
    close: () => {
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
