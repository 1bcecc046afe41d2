// The agent's environment, validated once at start-up. A bad value stops the agent with a message
// naming the variable (exit code 2) instead of failing later in some less obvious place.

import { Secret } from "@nostromo/crypto";
import { z } from "zod";

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface AgentConfig {
  /** Edge base URL, without a trailing slash (http: or https:). */
  url: string;
  /** Only needed on first start, before a credential file exists. */
  enrollToken: Secret | null;
  stateDir: string;
  metricsIntervalMs: number;
  heartbeatIntervalMs: number;
  logLevel: LogLevel;
  agentName: string | null;
}

export type ConfigResult = { ok: true; config: AgentConfig } | { ok: false; errors: string[] };

// Docker and systemd often pass "VAR=" for unset; treat an empty value as absent.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), schema.optional());

const milliseconds = (fallback: number, min: number) =>
  optional(
    z
      .string()
      .regex(/^\d+$/, "must be a whole number of milliseconds")
      .transform(Number)
      .pipe(
        z
          .number()
          .min(min, `must be at least ${min} ms`)
          .max(3_600_000, "must be at most 3600000 ms (1 hour)"),
      ),
  ).transform((v) => v ?? fallback);

const URL_REQUIRED = "is required (the edge URL, e.g. https://nostromo.example.com)";

const EnvSchema = z.object({
  NOSTROMO_URL: z
    .string({ error: URL_REQUIRED })
    .trim()
    .min(1, URL_REQUIRED)
    .transform((text, ctx) => {
      const url = URL.canParse(text) ? new URL(text) : null;
      if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
        ctx.addIssue({ code: "custom", message: "must be an http:// or https:// URL" });
        return z.NEVER;
      }
      if (url.search || url.hash || url.username || url.password) {
        ctx.addIssue({
          code: "custom",
          message: "must not contain credentials, a query string or a fragment",
        });
        return z.NEVER;
      }
      return url;
    }),
  NOSTROMO_ENROLL_TOKEN: optional(z.string().max(1024, "is too long")),
  NOSTROMO_STATE_DIR: optional(z.string().startsWith("/", "must be an absolute path")).transform(
    (v) => v ?? "/var/lib/nostromo-agent",
  ),
  NOSTROMO_METRICS_INTERVAL_MS: milliseconds(10_000, 1000),
  NOSTROMO_HEARTBEAT_INTERVAL_MS: milliseconds(15_000, 1000),
  NOSTROMO_LOG_LEVEL: optional(
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }),
  ).transform((v) => v ?? "info"),
  NOSTROMO_AGENT_NAME: optional(z.string().max(255, "must be at most 255 characters")),
});

export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map(
        (issue) => `${String(issue.path[0] ?? "environment")} ${issue.message}`,
      ),
    };
  }
  const e = parsed.data;
  const url = e.NOSTROMO_URL;
  return {
    ok: true,
    config: {
      url: `${url.origin}${url.pathname.replace(/\/+$/, "")}`,
      enrollToken: e.NOSTROMO_ENROLL_TOKEN ? new Secret(e.NOSTROMO_ENROLL_TOKEN) : null,
      stateDir: e.NOSTROMO_STATE_DIR,
      metricsIntervalMs: e.NOSTROMO_METRICS_INTERVAL_MS,
      heartbeatIntervalMs: e.NOSTROMO_HEARTBEAT_INTERVAL_MS,
      logLevel: e.NOSTROMO_LOG_LEVEL,
      agentName: e.NOSTROMO_AGENT_NAME ?? null,
    },
  };
}

export function formatConfigErrors(errors: string[]): string {
  return `nostromo-agent: invalid configuration\n${errors.map((e) => `  - ${e}`).join("\n")}\n`;
}

/** `https://edge/x` + `/api/agents/link` → `wss://edge/x/api/agents/link`. */
export function edgeWebSocketUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/^http/, "ws")}${path}`;
}

export function edgeHttpUrl(baseUrl: string, path: string): string {
  return `${baseUrl}${path}`;
}
