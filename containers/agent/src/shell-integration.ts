// Shell integration: make bash and zsh emit the standard OSC 133 semantic prompt marks
// (A prompt start, B prompt end, C command start, D;<status> command end) so that the edge can see
// where prompts, commands and exit codes are. The snippet is typed into the live shell; its echo is
// kept off the data socket by OutputGate.
import { randomBytes } from "node:crypto";
import type { Client } from "ssh2";

export type ShellKind = "bash" | "zsh";

/** Login shell path ($SHELL) → a shell we know how to integrate, or null (do nothing). */
export function shellKind(loginShell: string): ShellKind | null {
  const name = loginShell.trim().split("/").pop() ?? "";
  if (name === "bash" || name === "zsh") return name;
  return null;
}

// Both snippets are one line (no PS2 continuation prompts), start with a space (kept out of history
// where HISTCONTROL=ignorespace/ignoreboth or setopt HIST_IGNORE_SPACE; bash also deletes the entry when
// it was saved anyway, because the line holds the key), are idempotent, and check the running shell
// themselves in case $SHELL lied. They preserve $? for everything that follows. `P` is a per-session
// random prefix for every name the integration defines, so a static PS1 or rc file cannot name them.
function bashSnippet(P: string, key: string): string {
  const K = `\${${P}k}`;
  return [
    ` if [ -n "\${BASH_VERSION-}" ] && [ -z "\${__nostromo_si-}" ]; then __nostromo_si=1; ${P}k='${key}';`,
    // D: only after a command really ran (PS0 sets the flag; an empty Enter does not run PS0). Also ends
    // the accepted line for the guard, and marks "prompt hooks running" until A.
    `${P}d() { local s=$?; ${P}pc=1; unset ${P}line ${P}simple ${P}deny ${P}ln; [ -n "\${${P}on-}" ] && trap '${P}g "$BASH_COMMAND"' DEBUG; if [ -n "\${${P}ran+x}" ]; then printf '\\033]133;D;%s;k=%s\\007' "$s" "${K}"; unset ${P}ran; fi; return $s; };`,
    // A right before the prompt; B (with the key, expanded at prompt time) re-appended to PS1 when missing.
    // B says `g` when the guard is on (bash ≥ 4.4): the room then holds type-ahead from the first line on.
    `${P}a() { local s=$?; case "$PS1" in *'133;B;k=${K}'*|*'133;B;g;k=${K}'*) ;; *) PS1="$PS1"'\\[\\033]133;B;'"\${${P}on:+g;}"'k=${K}\\007\\]';; esac; printf '\\033]133;A;k=%s\\007' "${K}"; unset ${P}pc; return $s; };`,
    // E: reports what is about to run and waits for the room's verdict "#<nonce>y|s|n" on the terminal
    // (read -s: not echoed). No verdict in time fails closed. Both go through /dev/tty: the trap may run
    // in a subshell whose output is a pipe (`$(…)`) or under a redirection (`while read …; done <file`).
    // A whole line's reports share the nonce PS0 drew for it: a subshell running alongside the shell (a
    // process substitution) may report at the same moment, and either may read either verdict line.
    `${P}ask() { local n v e=$2; if [ "$1" != s ] && [ -n "\${${P}ln-}" ]; then n=\${${P}ln}; else printf -v n '%05d%05d%05d%s' "$RANDOM" "$RANDOM" "$RANDOM" "\${SRANDOM-}"; fi;`,
    `e=\${e//%/%25}; e=\${e//;/%3B}; e=\${e//$'\\a'/%07}; e=\${e//$'\\e'/%1B}; e=\${e//$'\\n'/%0A}; e=\${e//$'\\r'/%0D};`,
    `if [ \${#e} -gt 49152 ]; then ${P}deny=1; printf 'nostromo: command too long to be checked; not run\\n' >&2; return 1; fi;`,
    `printf '\\033]133;E;%s;%s;%s;k=%s\\007' "$1" "$n" "$e" "${K}" >/dev/tty;`,
    // Refused inside an accepted line: the rest of that line is skipped too. A whole line allowed: the
    // trap is off until the next prompt re-arms it (D), so loops and functions run at full speed (in a
    // subshell only there: the shell reports the line again when it reaches it, and gets the same answer).
    // A subshell reads without -s: it may read while the shell does (a process substitution), and two
    // `read -s` at once restore each other's echo-off state, leaving the terminal with echo off. Its
    // verdict's echo is removed by the room; input typed behind the line is still held then.
    `local f=-rs; [ "$1" = c ] && f=-r; while IFS= read $f -t ${GUARD_WAIT_S} v; do case $v in *"#\${n}y") [ "$1" != s ] && trap - DEBUG; return 0;; *"#\${n}s") ${P}simple=1; return 0;; *"#\${n}n") [ -n "\${${P}line-}" ] && ${P}deny=1; printf 'nostromo: refused by policy; not run\\n' >&2; return 1;; esac; done </dev/tty;`,
    `[ -n "\${${P}line-}" ] && ${P}deny=1; printf 'nostromo: no verdict from the session; not run\\n' >&2; return 1; };`,
    // The DEBUG trap (extdebug: a non-zero return skips the command). Once per accepted line (PS0 set
    // ${P}new): the line from history when this line was saved there, else each simple command as it
    // comes; commands outside any line (bind -x) one by one; the prompt hooks and our own functions not
    // (extdebug also traces functions). The first command of a line may run in a subshell before the
    // shell reaches the line (`for i in $(…)` expands its list first): that subshell reports the line as
    // `c` (its own variables die with it, so the shell reports the line again, as `l`).
    `${P}g() { case $1 in ${P}d|${P}a) return 0;; esac; case \${FUNCNAME[1]-} in ${P}d|${P}a) return 0;; esac;`,
    `if [ -n "\${${P}new+x}" ]; then unset ${P}new ${P}deny ${P}simple; ${P}line=1; local h; h=$(HISTTIMEFORMAT= builtin history 1);`,
    `if [[ $HISTCMD != "\${${P}h-}" && $h =~ ^\\ *([0-9]+)\\*?\\ \\ (.*)$ && \${BASH_REMATCH[1]} == "$HISTCMD" ]]; then ${P}h=$HISTCMD; h=l; [[ $BASHPID == "$$" ]] || h=c; ${P}ask $h "\${BASH_REMATCH[2]}"; return; fi; ${P}simple=1;`,
    `elif [ -n "\${${P}line-}" ]; then [ -n "\${${P}deny-}" ] && return 1; [ -n "\${${P}simple-}" ] || return 0; elif [ -n "\${${P}pc-}" ]; then return 0; fi; ${P}ask s "$1"; };`,
    // Keep the user's PROMPT_COMMAND between ours: bash ≥ 5.1 runs arrays, older bash one string.
    `if [ "\${BASH_VERSINFO[0]}" -gt 5 ] || { [ "\${BASH_VERSINFO[0]}" -eq 5 ] && [ "\${BASH_VERSINFO[1]}" -ge 1 ]; };`,
    `then PROMPT_COMMAND=(${P}d "\${PROMPT_COMMAND[@]}" ${P}a);`,
    `else PROMPT_COMMAND=$'${P}d\\n'"\${PROMPT_COMMAND:+$PROMPT_COMMAND$'\\n'}"'${P}a'; fi;`,
    // This line holds the key: out of history even without ignorespace.
    `[[ $(HISTTIMEFORMAT= builtin history 1) =~ ^\\ *([0-9]+).*__nostromo_si=1 ]] && builtin history -d "\${BASH_REMATCH[1]}";`,
    // C from PS0 (bash ≥ 4.4), which also marks that a line was accepted; the guard needs PS0 too. PS0
    // also draws the line's nonce: an arithmetic assignment inside a zero-length slice of the key, so
    // that nothing of it is printed (`\${x=…}` would print the value).
    `PS0="\${PS0-}"'\${${P}ran=}\${${P}new=}\${${P}k:0:(${P}ln=((1<<61)|(RANDOM<<45)|(RANDOM<<30)|(RANDOM<<15)|RANDOM)^(\${SRANDOM:-0}<<20)),0}\\033]133;C;k=${K}\\007';`,
    `if [ "\${BASH_VERSINFO[0]}" -gt 4 ] || { [ "\${BASH_VERSINFO[0]}" -eq 4 ] && [ "\${BASH_VERSINFO[1]}" -ge 4 ]; };`,
    `then ${P}on=1; shopt -s extdebug; trap '${P}g "$BASH_COMMAND"' DEBUG; fi; fi`,
  ].join(" ");
}

function zshSnippet(P: string, key: string): string {
  const K = `\${${P}k}`;
  return [
    ` if [ -n "\${ZSH_VERSION-}" ] && [ -z "\${__nostromo_si-}" ]; then __nostromo_si=1; ${P}k='${key}';`,
    `${P}d() { local s=$?; if [ -n "\${${P}ran-}" ]; then printf '\\033]133;D;%s;k=%s\\007' "$s" "${K}"; ${P}ran=; fi; return $s; };`,
    `${P}a() { local s=$?; [[ $PS1 == *'133;B;g;k='* ]] || PS1="$PS1"'%{'$'\\e'']133;B;g;k=${K}'$'\\a''%}'; printf '\\033]133;A;k=%s\\007' "${K}"; return $s; };`,
    // preexec cannot skip the command: it waits for the verdict and, refused, ends the shell before the
    // command starts (the room ends the session too).
    `${P}c() { ${P}ran=1; printf '\\033]133;C;k=%s\\007' "${K}"; local n v e=$1; n=$RANDOM$RANDOM$RANDOM$RANDOM$RANDOM;`,
    `e=\${e//\\%/%25}; e=\${e//;/%3B}; e=\${e//$'\\a'/%07}; e=\${e//$'\\e'/%1B}; e=\${e//$'\\n'/%0A}; e=\${e//$'\\r'/%0D};`,
    `printf '\\033]133;E;l;%s;%s;k=%s\\007' "$n" "$e" "${K}";`,
    `while IFS= read -rs -t ${GUARD_WAIT_S} v; do case $v in *"#\${n}"[ys]) return 0;; *"#\${n}n") printf 'nostromo: refused by policy; the shell is closed\\n' >&2; kill -KILL $$;; esac; done;`,
    `printf 'nostromo: no verdict from the session; the shell is closed\\n' >&2; kill -KILL $$; };`,
    `setopt prompt_subst; precmd_functions=(${P}d $precmd_functions ${P}a); preexec_functions=($preexec_functions ${P}c); fi`,
  ].join(" ");
}

/** How long the shell waits for the room's verdict on a command before refusing it (fail closed). */
export const GUARD_WAIT_S = 5;

/** A fresh random name prefix for one session's integration. */
export function integrationPrefix(): string {
  return `__nostromo_${randomBytes(6).toString("hex")}_`;
}

/** The text typed into the shell, Enter included. `key` is the session's mark key (never logged). */
export function integrationSnippet(kind: ShellKind, key: string, prefix = integrationPrefix()): string {
  return `${kind === "bash" ? bashSnippet(prefix, key) : zshSnippet(prefix, key)}\r`;
}

/** The prompt-start mark of a session: what the gate waits for. */
export function promptStartMark(key: string): string {
  return `\u001b]133;A;k=${key}\u0007`;
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
  /** The session's mark key: the gate opens at its prompt-start mark, and the key is scrubbed from
   * anything released unopened (the snippet's echo holds it). */
  markKey: string;
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
 *     held output is released with the key scrubbed: nothing else is lost, at worst the snippet is visible.
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
    const mark = held.indexOf(promptStartMark(this.options.markKey));
    if (mark >= 0) {
      this.#open(Buffer.concat([Buffer.from("\r\u001b[K"), held.subarray(mark)]));
    } else {
      this.#held = [held];
    }
  }

  /** Stops timers and releases anything held (the session is ending). */
  dispose(): void {
    if (this.#state !== "open") this.#open(this.#scrubbed());
  }

  #scrubbed(): Buffer {
    const key = this.options.markKey;
    return Buffer.from(Buffer.concat(this.#held).toString("latin1").split(key).join("[redacted]"), "latin1");
  }

  #arm(ms: number, fn: () => void): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(fn, ms);
  }

  #inject(): void {
    if (this.#state !== "waiting") return;
    this.#state = "holding";
    this.#arm(this.#releaseTimeoutMs, () => this.#open(this.#scrubbed()));
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
