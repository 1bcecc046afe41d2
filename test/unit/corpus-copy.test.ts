// The committed copies of the specification (docs/seeds) and the corpus (test/fixtures) are the ones in
// ../shared when that folder is beside the checkout (as on the developers' machines and in CI).
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const pairs: [string, string][] = [
  ["../shared/corpus/command-policy.json", "test/fixtures/command-policy.json"],
  ["../shared/seeds/trident-sra-data-model.md", "docs/seeds/trident-sra-data-model.md"],
  ["../shared/seeds/master-orchestrator.md", "docs/seeds/master-orchestrator.md"],
  ["../shared/seeds/nostromo-command.md", "docs/seeds/nostromo-command.md"],
];

describe("copies of shared/", () => {
  for (const [shared, copy] of pairs) {
    it.skipIf(!existsSync(shared))(`${copy} equals ${shared}`, () => {
      // Compared by content: a newline at the end of the file (which editors add or drop) is not a change.
      const read = (path: string) => readFileSync(path, "utf8").trimEnd();
      if (copy.endsWith(".json")) expect(JSON.parse(read(copy))).toEqual(JSON.parse(read(shared)));
      else expect(read(copy)).toBe(read(shared));
    });
  }
});
