// What happens to a command line before it is parsed: input hygiene (NUL and sentinels out, CR as a line
// end) and the detection of interactive history expansion, which splices in commands the engine never sees.
import { stripSentinels } from "./shell-words.ts";

/** Input hygiene: sentinels and NUL cannot come from the user; CR is a line end (Enter in a terminal). */
export function sanitize(line: string): string {
  let dirty = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c <= 8 || c === 13) {
      dirty = true;
      break;
    }
  }
  return dirty ? stripSentinels(line.replace(/\r\n?/g, "\n")) : line;
}

/** Interactive bash expands `!!`, `!-2`, `!rm`, `!$`… and a leading `^old^new` before it parses the
 * line, splicing in earlier commands the engine never sees. Single quotes protect; `! `, `!=`, `!(`,
 * `$!`, `${!x}` and a `!` closing a double-quoted string are not expansions. */
export function hasHistoryExpansion(line: string): boolean {
  if (line.startsWith("^")) return true;
  let single = false;
  let double = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (c === "\\" && !single) i++;
    else if (c === "'" && !double) single = !single;
    else if (c === '"' && !single) double = !double;
    else if (c === "!" && !single) {
      const next = line.charAt(i + 1);
      const prev = line.charAt(i - 1);
      if (
        next === "" ||
        " \t\n=(".includes(next) ||
        prev === "$" ||
        (prev === "{" && line.charAt(i - 2) === "$")
      )
        continue;
      if (double && next === '"') continue;
      return true;
    }
  }
  return false;
}
