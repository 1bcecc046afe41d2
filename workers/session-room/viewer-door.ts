// The viewer door: which part of the room takes a socket the Worker routed to it. Shells, VNC and RDP
// desktops are watched at /ws (a shell's read-only watchers past the relay threshold are answered a ticket
// for a ViewerRelay of their region instead), a tunnel's CLI connects at /tunnel, an RDP session's own client at /rdp. A
// socket of the wrong kind for the session is refused here, so each part only ever sees its own kind and
// the room's fetch stays a table of contents.
import type { LocationHint } from "../viewer-relay/placement.ts";
import { ticketResponse } from "../viewer-relay/ticket.ts";
import type { ByteRelays } from "./byte-relays.ts";
import type { Meta } from "./lifecycle.ts";
import type { Participants, ViewerIdentity } from "./participants.ts";
import type { RelayTier } from "./relay-tier.ts";

/** The part a socket goes to: a session kind's own socket, an RDP watcher, or a shell's participant. */
export type Door = "tunnel" | "rdp" | "rdp-watch" | "vnc" | "shell";

/** Where a socket at `pathname` goes on a session of `kind`; null when it is the wrong kind of socket. */
export function doorFor(kind: Meta["kind"], pathname: string): Door | null {
  const asked = /\/(tunnel|rdp)$/.exec(pathname)?.[1];
  if (kind === "rdp" && asked === undefined) return "rdp-watch";
  if (asked !== (kind === "vnc" ? undefined : kind)) return null;
  return kind ?? "shell";
}

export interface DoorParts {
  viewers: Participants;
  relayTier: RelayTier;
  byteRelays: ByteRelays;
}

/** Hands the viewer's socket to its part: a 101, a relay ticket, or a 409 for the wrong kind of socket. */
export async function openViewerSocket(
  parts: DoorParts,
  kind: Meta["kind"],
  pathname: string,
  who: ViewerIdentity,
  hint: LocationHint | null,
): Promise<Response> {
  const door = doorFor(kind, pathname);
  if (!door)
    return roomError(
      "INVALID_STATE",
      kind ? `This session is a ${kind} session` : "This session is a shell",
      409,
    );
  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  const { viewers, relayTier, byteRelays } = parts;
  if (door === "tunnel") byteRelays.tunnel.attachClient(server, who.loginId ?? null);
  else if (door === "rdp-watch") byteRelays.rdp.viewers.attach(server, who);
  else if (door === "rdp") byteRelays.rdp.attachClient(server, who.loginId ?? null);
  else if (door === "vnc") byteRelays.vnc.attachViewer(server, who);
  else if (relayTier.takes(who)) {
    const ticket = await relayTier.place(who, hint);
    if (ticket) return ticketResponse(ticket);
    viewers.accept(server, who);
  } else viewers.accept(server, who);
  return new Response(null, { status: 101, webSocket: client });
}

/** The room's error body, in the Worker's shape (workers/errors.ts). */
export function roomError(code: string, message: string, status: number): Response {
  return Response.json({ error: { code, message, requestId: "room" } }, { status });
}
