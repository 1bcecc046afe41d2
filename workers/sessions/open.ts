// The frame that opens a session on the agent: session.open (SSH: target with decrypted credentials, data
// socket path and token), telnet.open (no credential: the user logs in at the server's prompts), or
// vnc.open (the VNC password, answered by the agent to the server; the browser never gets it) — SSH and
// telnet both when a session starts and when a restarted agent has to open it again (reopenFrame, by the
// room's type).

import type { SessionOpenFrame, TelnetOpenFrame, VncOpenFrame } from "@nostromo/protocol";
import type { Db } from "../../db/client.ts";
import { connectionStore } from "../connections/store.ts";
import type { Bindings } from "../env.ts";
import type { ReopenPrep } from "../session-room/agent-socket.ts";
import type { TenantRecord } from "../tenancy/tenant-record.ts";
import { buildTarget, TargetError, vncPassword } from "./target.ts";

export function dataPath(sessionUuid: string): string {
  return `/api/remote-sessions/${sessionUuid}/agent`;
}

export async function openFrame(
  env: Bindings,
  db: Db,
  tenant: TenantRecord,
  s: {
    sessionUuid: string;
    connectionId: string;
    dataToken: string;
    cols: number;
    rows: number;
    shellIntegration: boolean;
    markKey?: string;
  },
): Promise<SessionOpenFrame> {
  const { target } = await buildTarget(env, db, tenant, s.connectionId);
  return {
    t: "session.open",
    sessionId: s.sessionUuid,
    dataUrl: dataPath(s.sessionUuid),
    dataToken: s.dataToken,
    target,
    cols: s.cols,
    rows: s.rows,
    term: "xterm-256color",
    shellIntegration: s.shellIntegration,
    ...(s.markKey ? { markKey: s.markKey } : {}),
  };
}

export function telnetFrame(s: {
  sessionUuid: string;
  dataToken: string;
  host: string;
  port: number;
  cols: number;
  rows: number;
}): TelnetOpenFrame {
  return {
    t: "telnet.open",
    sessionId: s.sessionUuid,
    dataUrl: dataPath(s.sessionUuid),
    dataToken: s.dataToken,
    host: s.host,
    port: s.port,
    cols: s.cols,
    rows: s.rows,
    term: "xterm-256color",
  };
}

/** The frame that opens a session again on its restarted agent: the same kind the session started with. */
export async function reopenFrame(
  env: Bindings,
  db: Db,
  tenant: TenantRecord,
  sessionUuid: string,
  prep: ReopenPrep,
): Promise<SessionOpenFrame | TelnetOpenFrame> {
  const { dataToken, cols, rows } = prep;
  if (prep.connectionType === "telnet") {
    const c = await connectionStore({ tenant, db }).findFull(prep.connectionId);
    if (!c) throw new TargetError("CONNECTION_NOT_USABLE", "No such connection");
    if (c.status !== "active")
      throw new TargetError("CONNECTION_NOT_USABLE", `The connection is ${c.status}`);
    return telnetFrame({ sessionUuid, dataToken, host: c.hostname, port: c.port, cols, rows });
  }
  return openFrame(env, db, tenant, { sessionUuid, ...prep });
}

export async function vncFrame(
  env: Bindings,
  db: Db,
  tenant: TenantRecord,
  s: { sessionUuid: string; connectionId: string; dataToken: string; host: string; port: number },
): Promise<VncOpenFrame> {
  return {
    t: "vnc.open",
    sessionId: s.sessionUuid,
    dataUrl: dataPath(s.sessionUuid),
    dataToken: s.dataToken,
    host: s.host,
    port: s.port,
    password: await vncPassword(env, db, tenant, s.connectionId),
  };
}
