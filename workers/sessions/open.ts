// The frame that opens a session on the agent: session.open (SSH: target with decrypted credentials, data
// socket path and token), telnet.open (no credential: the user logs in at the server's prompts), or
// vnc.open (the VNC password, answered by the agent to the server; the browser never gets it).

import type { SessionOpenFrame, TelnetOpenFrame, VncOpenFrame } from "@nostromo/protocol";
import type { Db } from "../../db/client.ts";
import type { Bindings } from "../env.ts";
import type { TenantRecord } from "../tenancy/tenant-record.ts";
import { buildTarget, vncPassword } from "./target.ts";

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
