// One error model: a stable ErrorCode mapped to an HTTP status, one ApiError, one body shape
// { error: { code, message, request_id, details? } } produced by app.onError for every failure.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { databaseErrorChain, isDatabaseUnavailable } from "./lib/db-unavailable.ts";

export const ErrorCode = {
  BAD_REQUEST: 400,
  INVALID_JSON: 400,
  VALIDATION_ERROR: 400,
  // An SSH private key that cannot be imported (workers/crypto/ssh-keys.ts SshKeyError codes).
  SSH_KEY_MALFORMED: 400,
  SSH_KEY_PASSPHRASE_REQUIRED: 400,
  SSH_KEY_BAD_PASSPHRASE: 400,
  SSH_KEY_UNSUPPORTED: 400,
  // A command-policy rule refused by checkRule (workers/policy/regex-safety.ts).
  INVALID_REGEX: 400,
  UNSAFE_REGEX: 400,
  EXAMPLE_NOT_MATCHED: 400,
  INVALID_PATTERN: 400,
  TENANT_MISMATCH: 400,
  // A SAML IdP's metadata that is not one usable IdP (workers/sso/saml-metadata.ts).
  SAML_METADATA_INVALID: 400,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  TWO_FACTOR_REQUIRED: 401,
  SESSION_EXPIRED: 401,
  FORBIDDEN: 403,
  CSRF_FAILED: 403,
  IP_NOT_ALLOWED: 403,
  TENANT_SUSPENDED: 403,
  FEATURE_DISABLED: 403,
  PLAN_LIMIT: 403,
  TWO_FACTOR_ENROLLMENT_REQUIRED: 403,
  // The organization signs in through its identity provider (settings.sso_enabled): no password sign-in.
  SSO_REQUIRED: 403,
  NOT_FOUND: 404,
  // A response that does not match the route's documented schema (checked outside production only).
  CONTRACT_VIOLATION: 500,
  TENANT_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  AGENT_OFFLINE: 409,
  ENROLLMENT_TOKEN_INVALID: 401,
  UPGRADE_REQUIRED: 426,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  // A SAML metadata URL that cannot be read: refused redirect, error status, timeout, too large.
  SAML_METADATA_UNREACHABLE: 422,
  SUBDOMAIN_RESERVED: 422,
  TENANT_DB_UNREACHABLE: 422,
  TENANT_DB_AUTH_FAILED: 422,
  TENANT_DB_ERROR: 422,
  INVALID_STATE: 409,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  BAD_GATEWAY: 502,
  TARGET_AUTH_FAILED: 502,
  TARGET_UNREACHABLE: 502,
  HOST_KEY_CHANGED: 502,
  GATEWAY_TIMEOUT: 504,
  CONFIG_INVALID: 503,
  SERVICE_UNAVAILABLE: 503,
  // PostgreSQL cannot be reached (down, restarting, out of connections): retry after Retry-After seconds.
  DATABASE_UNAVAILABLE: 503,
  // The request did not finish within its deadline (workers/middleware/deadline.ts): retryable.
  REQUEST_TIMEOUT: 503,
} as const satisfies Record<string, ContentfulStatusCode>;
export type ErrorCode = keyof typeof ErrorCode;

/** What a client is told to wait before retrying during a database outage. */
export const DATABASE_RETRY_AFTER_S = 2;

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  readonly headers?: Record<string, string>;
  constructor(code: ErrorCode, message: string, details?: unknown, headers?: Record<string, string>) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
  get status(): ContentfulStatusCode {
    return ErrorCode[this.code];
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; request_id: string; details?: unknown };
}

export function errorBody(code: ErrorCode, message: string, requestId: string, details?: unknown): ErrorBody {
  return { error: { code, message, request_id: requestId, ...(details === undefined ? {} : { details }) } };
}

/** zod issues as `details`: one entry per failing field, path joined with dots. */
export function zodDetails(error: z.ZodError): { fields: { path: string; message: string; code: string }[] } {
  return {
    fields: error.issues.map((i) => ({
      path: i.path.map(String).join("."),
      message: i.message,
      code: i.code,
    })),
  };
}

function statusToCode(status: number): ErrorCode {
  switch (status) {
    case 400:
      return "BAD_REQUEST";
    case 401:
      return "UNAUTHORIZED";
    case 403:
      return "FORBIDDEN";
    case 404:
      return "NOT_FOUND";
    case 405:
      return "METHOD_NOT_ALLOWED";
    case 409:
      return "CONFLICT";
    case 413:
      return "PAYLOAD_TOO_LARGE";
    case 415:
      return "UNSUPPORTED_MEDIA_TYPE";
    case 429:
      return "RATE_LIMITED";
    case 503:
      return "SERVICE_UNAVAILABLE";
    default:
      return status >= 500 ? "INTERNAL_ERROR" : "BAD_REQUEST";
  }
}

export function handleError(err: Error, c: Context): Response {
  const requestId = (c.get("requestId") as string | undefined) ?? "unknown";
  if (err instanceof ApiError) {
    if (err.headers) for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return c.json(errorBody(err.code, err.message, requestId, err.details), err.status);
  }
  if (err instanceof HTTPException) {
    const code = statusToCode(err.status);
    return c.json(errorBody(code, err.message || code, requestId), ErrorCode[code]);
  }
  if (isDatabaseUnavailable(err)) {
    console.error(
      JSON.stringify({
        level: "error",
        msg: "database unavailable",
        requestId,
        error: databaseErrorChain(err),
      }),
    );
    c.header("Retry-After", String(DATABASE_RETRY_AFTER_S));
    return c.json(
      errorBody("DATABASE_UNAVAILABLE", "The database is unavailable; try again shortly", requestId),
      503,
    );
  }
  console.error(
    JSON.stringify({
      level: "error",
      msg: "unhandled",
      requestId,
      // The stack without drizzle's "params:" line (a statement's values: token hashes, emails), then what
      // caused it.
      error: String(err?.stack ?? err).replace(/\nparams: [^\n]*/g, ""),
      causes: databaseErrorChain(err).slice(1),
    }),
  );
  return c.json(errorBody("INTERNAL_ERROR", "Internal error", requestId), 500);
}
