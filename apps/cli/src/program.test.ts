// Every command of the tree answers --help (exit 0, its own usage line) and has a description; the exit
// statuses the top-level help documents are the ones errors.ts uses.
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { EXIT } from "./errors.ts";
import { buildProgram, EXIT_HELP } from "./program.ts";

function paths(cmd: Command, path: string[] = []): string[][] {
  return cmd.commands.flatMap((c) => [[...path, c.name()], ...paths(c, [...path, c.name()])]);
}

async function help(path: string[]): Promise<{ out: string; code: string }> {
  const written: string[] = [];
  const program = buildProgram();
  const write = (s: string) => {
    written.push(s);
  };
  const capture = (c: Command) => {
    c.configureOutput({ writeOut: write, writeErr: write });
    for (const sub of c.commands) capture(sub);
  };
  capture(program);
  try {
    await program.parseAsync(["node", "nostromo", ...path, "--help"]);
  } catch (err) {
    return { out: written.join(""), code: (err as { code: string }).code };
  }
  return { out: written.join(""), code: "none" };
}

describe("the command tree", () => {
  const all = paths(buildProgram());

  it("has the commands the docs list", () => {
    expect(all.map((p) => p.join(" "))).toEqual(
      expect.arrayContaining(["login", "ls", "sessions", "agents", "ssh", "join", "exec", "recordings play"]),
    );
  });

  it.each(all.map((p) => [p.join(" "), p] as const))("`%s --help` answers its usage", async (name, path) => {
    const r = await help(path);
    expect(r.code).toBe("commander.helpDisplayed");
    expect(r.out).toContain(`Usage: nostromo ${name}`);
    const c = path.reduce<Command | undefined>(
      (at, n) => at?.commands.find((x) => x.name() === n),
      buildProgram(),
    );
    expect(c?.description()).toBeTruthy();
  });

  it("documents every exit status errors.ts uses", () => {
    for (const code of Object.values(EXIT)) expect(EXIT_HELP).toContain(String(code));
  });
});
