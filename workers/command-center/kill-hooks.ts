// What other domains do when the Command Center kills a login: each registers a hook here (the live
// sessions end the remote sessions the login started) and says what it did, which the kill switch's answer
// and its audit event report. Registration keeps the Command Center free of those domains' imports.
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";

export interface KilledLogin {
  id: string;
  tenantId: string | null;
  userId: string;
}

/** What the hooks did; presented under `closed` in the kill switch's answer. */
export interface KillEffects {
  /** Public ids of the remote sessions ended. */
  sessionsEnded?: string[];
}

export type KillHook = (c: Context<AppEnv>, login: KilledLogin) => Promise<KillEffects>;

export const killHooks: KillHook[] = [];
