// A value that must never be printed, logged or serialised by accident (passwords, keys, tokens).
const hidden = "[secret]";

export class Secret<T = string> {
  readonly #value: T;
  constructor(value: T) {
    this.#value = value;
  }
  reveal(): T {
    return this.#value;
  }
  toString(): string {
    return hidden;
  }
  toJSON(): string {
    return hidden;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return hidden;
  }
}
