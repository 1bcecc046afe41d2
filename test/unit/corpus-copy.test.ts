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
      expect(readFileSync(copy, "utf8")).toBe(readFileSync(shared, "utf8"));
    });
  }
});
