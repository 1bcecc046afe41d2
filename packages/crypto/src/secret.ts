// A value that must never be printed: logs, JSON, String() and Node's util.inspect all see "[REDACTED]".
// Only `reveal()` hands out the real value, so every place a secret leaves memory is greppable. One class
// for the edge (decrypted database credentials) and the agent (passwords, keys, tokens); the inspect hook
// is the registered symbol, not node:util, so this runs in workerd and browsers too.
export const REDACTED = "[REDACTED]";

export class Secret<T = string> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return REDACTED;
  }
}
