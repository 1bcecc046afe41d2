// Questions at the terminal: visible (email) or hidden (password, TOTP), always from the controlling
// terminal's stdin; with no TTY (scripts) a value must come from a flag or --password-stdin.
import { createInterface } from "node:readline";
import { CliError } from "./errors.ts";

export async function ask(question: string, { hidden = false } = {}): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new CliError(
      "USAGE",
      `${question.replace(/:\s*$/, "")} is needed and there is no terminal to ask on`,
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (hidden) {
    // Nothing typed is echoed: readline writes through _writeToOutput, replaced while the answer is typed.
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    let asked = false;
    out._writeToOutput = (s: string) => {
      if (!asked) {
        process.stderr.write(s);
        asked = true;
      } else if (s.includes("\n") || s.includes("\r")) process.stderr.write("\n");
    };
  }
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
  }
}

export async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
