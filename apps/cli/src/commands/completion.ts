// completion bash|zsh: shell completion generated from the command tree itself (so it never falls behind
// the commands). Install: `source <(nostromo completion bash)` or, for zsh, `nostromo completion zsh >
// "${fpath[1]}/_nostromo"`.
import type { Command } from "commander";
import { CliError } from "../errors.ts";

interface Node {
  path: string[];
  subcommands: string[];
  options: string[];
}

function walk(cmd: Command, path: string[] = []): Node[] {
  const here: Node = {
    path,
    subcommands: cmd.commands.map((c) => c.name()),
    options: [...cmd.options.map((o) => o.long ?? o.short ?? ""), "--help"].filter(Boolean),
  };
  return [here, ...cmd.commands.flatMap((c) => walk(c, [...path, c.name()]))];
}

export function bashScript(program: Command): string {
  const cases = walk(program)
    .map((n) => `    "${n.path.join(" ")}") words="${[...n.subcommands, ...n.options].join(" ")}" ;;`)
    .join("\n");
  return `# bash completion for nostromo
_nostromo() {
  local cur path="" w i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    case "\${path:+$path }$w" in
${walk(program)
  .filter((n) => n.path.length > 0)
  .map((n) => `      "${n.path.join(" ")}") path="${n.path.join(" ")}" ;;`)
  .join("\n")}
    esac
  done
  local words=""
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _nostromo nostromo
`;
}

export function zshScript(program: Command): string {
  return `#compdef nostromo
# zsh completion for nostromo (uses the bash completion through bashcompinit)
autoload -U +X bashcompinit && bashcompinit
${bashScript(program)}`;
}

export function register(program: Command): void {
  program
    .command("completion")
    .description("Print a shell completion script (bash or zsh)")
    .argument("<shell>", "bash or zsh")
    .action((shell: string) => {
      if (shell === "bash") process.stdout.write(bashScript(program));
      else if (shell === "zsh") process.stdout.write(zshScript(program));
      else throw new CliError("USAGE", "completion: the shell must be bash or zsh");
    });
}
