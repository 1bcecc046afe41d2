// A SessionRoom that places a watcher on one of its ViewerRelays answers the watcher's upgrade with a
// ticket instead of a 101: the Worker redeems it at the relay itself, so the watcher's socket runs
// Worker → relay and the room is on no watcher's path (a socket returned through the room would be pumped
// by the room for its whole life). The ticket names the relay (an unguessable id), the key of the room's
// feed and the watcher the room announced on that feed; it never leaves the Worker.
import type { Bindings } from "../env.ts";
import { RELAY_KEY_HEADER, RELAY_VIEWER_HEADER } from "./feed.ts";

const TICKET_HEADER = "x-nostromo-relay-ticket";

export interface RelayTicket {
  relay: string;
  key: string;
  viewer: string;
}

export function ticketResponse(t: RelayTicket): Response {
  return Response.json(t, { status: 200, headers: { [TICKET_HEADER]: "1" } });
}

/** The room's answer to a watcher's upgrade as it is, or — a ticket — the relay's answer to it. */
export async function redeemTicket(env: Bindings, res: Response): Promise<Response> {
  if (res.headers.get(TICKET_HEADER) !== "1") return res;
  const t = (await res.json()) as RelayTicket;
  const ns = env.VIEWER_RELAY;
  return ns.get(ns.idFromString(t.relay)).fetch("https://relay/viewer", {
    headers: { upgrade: "websocket", [RELAY_KEY_HEADER]: t.key, [RELAY_VIEWER_HEADER]: t.viewer },
  });
}
