// What the CLI fails with: the API's error code when the API answered one, a code of its own otherwise,
// and the process exit status each maps to (documented in `nostromo --help` and docs/cli.md).
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number | null = null,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Exit statuses of every command except `ssh`/`exec`/`join`, which exit with the remote status. */
export const EXIT = {
  OK: 0,
  /** Anything else: an unexpected failure, a 5xx. */
  ERROR: 1,
  /** Bad command-line usage. */
  USAGE: 2,
  /** Not signed in, login expired, wrong credentials. */
  AUTH: 3,
  /** Signed in but not allowed (403). */
  FORBIDDEN: 4,
  /** No such thing (404). */
  NOT_FOUND: 5,
  /** The server or the network could not be reached. */
  UNREACHABLE: 6,
  /** The request was refused as invalid (other 4xx). */
  REFUSED: 7,
  /** Remote-session commands: the session could not be opened or was lost (as ssh's 255). */
  SESSION: 255,
} as const;

/** The API's ApiError (from @nostromo/client) as a CliError; anything else as it is. */
export function asCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  const e = err as { name?: string; code?: unknown; status?: unknown; message?: string; details?: unknown };
  if (e?.name === "ApiError" && typeof e.code === "string" && typeof e.status === "number")
    return new CliError(e.code, e.message ?? e.code, e.status, e.details);
  return new CliError("ERROR", err instanceof Error ? err.message : String(err));
}

export function exitStatusOf(err: unknown): number {
  if (!(err instanceof CliError)) return EXIT.ERROR;
  if (err.code === "USAGE") return EXIT.USAGE;
  if (err.code === "UNREACHABLE") return EXIT.UNREACHABLE;
  if (err.code === "NOT_LOGGED_IN" || err.status === 401) return EXIT.AUTH;
  if (err.status === 403) return EXIT.FORBIDDEN;
  if (err.status === 404) return EXIT.NOT_FOUND;
  if (err.status !== null && err.status >= 400 && err.status < 500) return EXIT.REFUSED;
  return EXIT.ERROR;
}
