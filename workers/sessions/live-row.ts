// The row of a session being opened, as every kind writes it (a shell, telnet or VNC session in
// service.ts; a tunnel or RDP session in relay-open.ts): active from the start, the caller's login and the
// request's address and browser (the Command Center and the kill switch read them), the agent that will
// carry it. Only the size and whether it is recorded differ by kind. Likewise the part of the room's
// `init` every kind shares (`roomIdentity`): whose session, on which connection and agent, the data
// token's hash and the idle timeout.
import { sha256Hex } from "@nostromo/crypto";
import type { UserPrincipal } from "../auth/principal.ts";
import type { TenantContext } from "../tenancy/context.ts";
import type { NewSession } from "./store.ts";

export function liveRow(
  ctx: TenantContext,
  u: Pick<UserPrincipal, "id" | "loginId">,
  o: { connectionId: string; agentId: string; isRecording: boolean; cols?: number; rows?: number },
): NewSession {
  return {
    connectionId: o.connectionId,
    initiatedByUserId: u.id,
    status: "active",
    clientIp: ctx.request?.ip ?? "",
    userAgent: ctx.request?.userAgent ?? "",
    agentId: o.agentId,
    loginSessionId: u.loginId,
    isRecording: o.isRecording,
    ...(o.cols === undefined ? {} : { cols: o.cols }),
    ...(o.rows === undefined ? {} : { rows: o.rows }),
  };
}

export async function roomIdentity(
  ctx: TenantContext,
  u: UserPrincipal,
  s: { id: string; sessionId: string },
  o: { connectionId: string; agentId: string; dataToken: string; idleTimeoutMs: number },
) {
  return {
    sessionUuid: s.id,
    publicId: s.sessionId,
    tenantId: ctx.tenant.id,
    connectionId: o.connectionId,
    agentId: o.agentId,
    ownerId: u.id,
    ownerLoginId: u.loginId,
    dataTokenHash: await sha256Hex(o.dataToken),
    idleTimeoutMs: o.idleTimeoutMs,
  };
}
