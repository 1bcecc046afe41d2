// A value that must never be printed: logs, JSON and util.inspect all see "[REDACTED]".
// Only `reveal()` hands out the real text, so every place a secret leaves memory is greppable.
import { inspect } from "node:util";

export const REDACTED = "[REDACTED]";

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
