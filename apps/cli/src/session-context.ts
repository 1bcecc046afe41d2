// What every command that talks to the API starts from: the active context as a request target, and the
// global flags (--context, --json) as commander passes them down.
import type { Command } from "commander";
import type { Target } from "./api.ts";
import { activeContext } from "./config.ts";

export interface GlobalOptions {
  context?: string;
  json?: boolean;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

export function targetOf(cmd: Command): Target {
  const { ctx } = activeContext(globals(cmd).context);
  return { url: ctx.url, tenant: ctx.tenant, credential: ctx.credential };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string) => UUID.test(s);
