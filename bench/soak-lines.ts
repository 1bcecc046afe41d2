// The soak run's and the fault suite's proof that nothing was lost: the target prints numbered lines
// (`L1`, `L2`…; another prefix for another shell); a byte stream is split into those numbers and
// checked for gaps and disorder.

// biome-ignore lint/suspicious/noControlCharactersInRegex: strips terminal control sequences
const CSI = /\x1b\[[0-9;?]*[a-zA-Z]/g;

/** The numbers of the complete `L<n>` lines in a terminal byte stream. The first line may be a tail cut
 * by a late join (a tail of `L123` never starts with `L`), the last may be incomplete: both dropped. */
export function numberedLines(text: string, prefix = "L"): number[] {
  const lines = text.split("\n");
  lines.pop();
  const out: number[] = [];
  for (const raw of lines) {
    // What follows the line's last carriage return, without CSI sequences (bash's bracketed-paste switch).
    const shown = raw.replace(CSI, "").replace(/\r$/, "").split("\r").at(-1) ?? "";
    if (shown.startsWith(prefix) && /^\d+$/.test(shown.slice(prefix.length)))
      out.push(Number(shown.slice(prefix.length)));
  }
  return out;
}

/** Lines missing between the first and the last seen, and steps that went backwards or repeated. */
export function checkLines(ns: number[]): { missing: number; disorder: number } {
  let missing = 0;
  let disorder = 0;
  for (let i = 1; i < ns.length; i++) {
    const step = (ns[i] ?? 0) - (ns[i - 1] ?? 0);
    if (step <= 0) disorder += 1;
    else missing += step - 1;
  }
  return { missing, disorder };
}

/** The missing numbers (at most `max`), to say where a loss happened. */
export function gapsOf(ns: number[], max = 20): number[] {
  const out: number[] = [];
  for (let i = 1; i < ns.length && out.length < max; i++)
    for (let n = (ns[i - 1] ?? 0) + 1; n < (ns[i] ?? 0) && out.length < max; n++) out.push(n);
  return out;
}
