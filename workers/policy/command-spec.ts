// The pattern of a `command` rule: a small JSON spec that names a program and the options and operands
// that make it dangerous, validated with zod when the rule is admitted and when it is compiled. It is a
// documented extension of the seed (whose pattern types are exact | regex | contains): a regex over text
// cannot say "rm with the recursive and force options, on /" without listing every spelling
// (`-rf`, `-fr`, `-r -f`, `--recursive --force`, `-Rf`…), a spec can. See docs/policy-engine.md.
//
//   {"program": "rm", "options": ["-r", "-f"], "args": ["/", "/*", "~"]}
//   {"program": ["shutdown", "reboot", "halt", "poweroff"]}
//   {"program": "git", "subcommand": "push", "any_options": ["--force", "--force-with-lease"]}
//   {"program": "mkfs*"}

import { z } from "zod";

/** A program basename, optionally ending in `*` (a prefix: `mkfs*` is mkfs, mkfs.ext4, mkfs.xfs…). */
const program = z
  .string()
  .regex(
    /^[A-Za-z0-9_+][A-Za-z0-9._+-]{0,63}\*?$/,
    "must be a program name (letters, digits, . _ + -), optionally ending in *",
  );
const option = z
  .string()
  .regex(
    /^-[^\s=-][^\s=]{0,63}$|^--[^\s=-][^\s=]{0,62}$/,
    'must be an option such as "-r", "-rf" or "--recursive"',
  );
const arg = z
  .string()
  .min(1)
  .max(256)
  .refine((v) => v.trim() === v && !/[\s]/.test(v), "must be one word without blanks");
const word = z.string().regex(/^[^\s-][^\s]{0,63}$/, "must be one word not starting with -");

/** One value or a list of them; errors then name the item (`program.0`). */
const oneOrMany = <T extends z.ZodType>(item: T, max: number) =>
  z.preprocess((v) => (typeof v === "string" ? [v] : v), z.array(item).min(1).max(max));

export const commandSpecSchema = z
  .object({
    program: oneOrMany(program, 16),
    /** The first operand must be one of these (`git push`, `systemctl stop`). */
    subcommand: oneOrMany(word, 16).optional(),
    /** Every one of these options must be present, in any spelling. */
    options: z.array(option).max(16).optional(),
    /** At least one of these options must be present. */
    any_options: z.array(option).min(1).max(16).optional(),
    /** At least one operand must match one of these patterns (`*`, `**`, `?`, `\` escapes). */
    args: z.array(arg).min(1).max(32).optional(),
  })
  .strict();

export type CommandSpec = z.output<typeof commandSpecSchema>;

export type SpecResult = { ok: true; spec: CommandSpec } | { ok: false; message: string };

/** Parses and validates a `command` pattern; the message names the field at fault. */
export function parseCommandSpec(pattern: string): SpecResult {
  let json: unknown;
  try {
    json = JSON.parse(pattern);
  } catch (e) {
    return { ok: false, message: `a command pattern is a JSON object: ${(e as Error).message}` };
  }
  const r = commandSpecSchema.safeParse(json);
  if (r.success) return { ok: true, spec: r.data };
  const issue = r.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  return { ok: false, message: `invalid command pattern: ${where}${issue?.message ?? "invalid"}` };
}
