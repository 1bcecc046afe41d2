// Shell integration: make bash and zsh emit the standard OSC 133 semantic prompt marks
// (A prompt start, B prompt end, C command start, D;<status> command end) so that the edge can see
// where prompts, commands and exit codes are. The snippet is typed into the live shell; its echo is
// kept off the data socket by OutputGate.
import type { Client } from "ssh2";

export type ShellKind = "bash" | "zsh";

export const OSC_133_PROMPT_START = "\u001b]133;A\u0007";

/** Login shell path ($SHELL) → a shell we know how to integrate, or null (do nothing). */
export function shellKind(loginShell: string): ShellKind | null {
  const name = loginShell.trim().split("/").pop() ?? "";
  if (name === "bash" || name === "zsh") return name;
  return null;
}

// Both snippets are one line (no PS2 continuation prompts), start with a space (kept out of history
// where HISTCONTROL=ignorespace/ignoreboth or setopt HIST_IGNORE_SPACE), are idempotent, and check
// the running shell themselves in case $SHELL lied. They preserve $? for everything that follows.
const BASH_SNIPPET = [
  ` if [ -n "\${BASH_VERSION-}" ] && [ -z "\${__nostromo_si-}" ]; then __nostromo_si=1;`,
  // D: only after a command really ran (PS0 sets the flag; an empty Enter does not run PS0).
  `__nostromo_d() { local s=$?; if [ -n "\${__nostromo_ran+x}" ]; then printf '\\033]133;D;%s\\007' "$s"; unset __nostromo_ran; fi; return $s; };`,
  // A right before the prompt; B re-appended to PS1 if a user PROMPT_COMMAND rebuilt it.
  `__nostromo_a() { local s=$?; case "$PS1" in *'133;B'*) ;; *) PS1="$PS1"'\\[\\033]133;B\\007\\]';; esac; printf '\\033]133;A\\007'; return $s; };`,
  // Keep the user's PROMPT_COMMAND between ours: bash ≥ 5.1 runs arrays, older bash one string.
  `if [ "\${BASH_VERSINFO[0]}" -gt 5 ] || { [ "\${BASH_VERSINFO[0]}" -eq 5 ] && [ "\${BASH_VERSINFO[1]}" -ge 1 ]; };`,
  `then PROMPT_COMMAND=(__nostromo_d "\${PROMPT_COMMAND[@]}" __nostromo_a);`,
  `else PROMPT_COMMAND=$'__nostromo_d\\n'"\${PROMPT_COMMAND:+$PROMPT_COMMAND$'\\n'}"'__nostromo_a'; fi;`,
  // C from PS0 (bash ≥ 4.4), which also marks that a command is about to run.
  `PS0="\${PS0-}"'\${__nostromo_ran=}\\033]133;C\\007'; fi`,
].join(" ");

const ZSH_SNIPPET = [
  ` if [ -n "\${ZSH_VERSION-}" ] && [ -z "\${__nostromo_si-}" ]; then __nostromo_si=1;`,
  `__nostromo_d() { local s=$?; if [ -n "\${__nostromo_ran-}" ]; then printf '\\033]133;D;%s\\007' "$s"; __nostromo_ran=; fi; return $s; };`,
  `__nostromo_a() { local s=$?; [[ $PS1 == *'133;B'* ]] || PS1="$PS1"$'%{\\e]133;B\\a%}'; printf '\\033]133;A\\007'; return $s; };`,
  `__nostromo_c() { __nostromo_ran=1; printf '\\033]133;C\\007'; };`,
  `precmd_functions=(__nostromo_d $precmd_functions __nostromo_a); preexec_functions=($preexec_functions __nostromo_c); fi`,
].join(" ");

/** The text typed into the shell, Enter included. */
export function integrationSnippet(kind: ShellKind): string {
  return `${kind === "bash" ? BASH_SNIPPET : ZSH_SNIPPET}\r`;
}

/** Asks the server for the login shell over a second channel ($SHELL); null when unknown. */
export function detectLoginShell(client: Client, timeoutMs = 2000): Promise<string | null> {
  return new Promise((resolve) => {
    let out = "";
    const timer = setTimeout(() => resolve(null), timeoutMs);
    const done = (value: string | null) => {
      clearTimeout(timer);
      resolve(value);
    };
    try {
      client.exec('printf "%s" "$SHELL"', (err, stream) => {
        if (err) return done(null);
        stream.on("data", (chunk: Buffer) => {
          if (out.length < 4096) out += chunk.toString("utf8");
        });
        stream.stderr.resume();
        stream.on("close", () => done(out.trim() || null));
      });
    } catch {
      done(null);
    }
  });
}

export interface OutputGateOptions {
  /** Passes bytes on towards the data socket. */
  forward: (chunk: Buffer) => void;
  /** Types the snippet into the shell. */
  inject: () => void;
  /** The first prompt is assumed drawn once output has been quiet this long. */
  quietMs?: number;
  /** Inject anyway if the shell has printed nothing for this long. */
  maxWaitMs?: number;
  /** Release everything held if no prompt mark shows up this long after injection. */
  releaseTimeoutMs?: number;
}

type GateState = "waiting" | "holding" | "open";

/**
 * Sequencing around the injection:
 *  1. waiting – output (banner, MOTD, first prompt) flows through; once it goes quiet, inject.
 *  2. holding – output (the snippet's echo, anything it prints) is held back until the first
 *     `OSC 133;A`; then the held bytes before the mark are dropped and the rest flows, preceded by
 *     "\r ESC[K" so that the new prompt overwrites the first one on the viewer's screen.
 *  3. open – everything flows. If no mark arrives in time (a shell that ignored the snippet), all
 *     held output is released as is: nothing is ever lost, at worst the snippet is visible.
 * Keystrokes from viewers must wait for `open` too (see `isOpen`), or they would mix with the snippet.
 */
export class OutputGate {
  #state: GateState = "waiting";
  #held: Buffer[] = [];
  #heldBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  #onOpen: Array<() => void> = [];
  readonly #quietMs: number;
  readonly #releaseTimeoutMs: number;

  constructor(private readonly options: OutputGateOptions) {
    this.#quietMs = options.quietMs ?? 300;
    this.#releaseTimeoutMs = options.releaseTimeoutMs ?? 2000;
    this.#arm(options.maxWaitMs ?? 3000, () => this.#inject());
  }

  get isOpen(): boolean {
    return this.#state === "open";
  }

  /** Runs `fn` once the gate is open (immediately if it already is). */
  whenOpen(fn: () => void): void {
    if (this.#state === "open") fn();
    else this.#onOpen.push(fn);
  }

  push(chunk: Buffer): void {
    if (this.#state === "open") {
      this.options.forward(chunk);
      return;
    }
    if (this.#state === "waiting") {
      this.options.forward(chunk);
      this.#arm(this.#quietMs, () => this.#inject());
      return;
    }
    this.#held.push(chunk);
    this.#heldBytes += chunk.length;
    const held = Buffer.concat(this.#held, this.#heldBytes);
    const mark = held.indexOf(OSC_133_PROMPT_START);
    if (mark >= 0) {
      this.#open(Buffer.concat([Buffer.from("\r\u001b[K"), held.subarray(mark)]));
    } else {
      this.#held = [held];
    }
  }

  /** Stops timers and releases anything held (the session is ending). */
  dispose(): void {
    if (this.#state !== "open") this.#open(Buffer.concat(this.#held));
  }

  #arm(ms: number, fn: () => void): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(fn, ms);
  }

  #inject(): void {
    if (this.#state !== "waiting") return;
    this.#state = "holding";
    this.#arm(this.#releaseTimeoutMs, () => this.#open(Buffer.concat(this.#held)));
    this.options.inject();
  }

  #open(release: Buffer): void {
    clearTimeout(this.#timer);
    this.#state = "open";
    this.#held = [];
    this.#heldBytes = 0;
    if (release.length > 0) this.options.forward(release);
    for (const fn of this.#onOpen.splice(0)) fn();
  }
}
