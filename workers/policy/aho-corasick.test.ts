// Aho-Corasick must report exactly the literals that String.includes would, once each per scan.

import { describe, expect, it } from "vitest";
import { AhoCorasick } from "./aho-corasick.ts";

function scanAll(
  ac: AhoCorasick,
  text: string,
  literalCount: number,
  gen: number,
  stamp: Uint32Array,
): number[] {
  const hits = new Uint32Array(literalCount);
  const n = ac.scan(text, hits, stamp, gen);
  return [...hits.slice(0, n)].sort((a, b) => a - b);
}

describe("AhoCorasick", () => {
  it("finds overlapping, nested and suffix literals", () => {
    const literals = ["he", "she", "his", "hers", "rm -rf", "-rf /", "é/ü", ""];
    const ac = new AhoCorasick(literals);
    const stamp = new Uint32Array(literals.length);
    expect(scanAll(ac, "ushers", literals.length, 1, stamp)).toEqual([0, 1, 3]);
    expect(scanAll(ac, "sudo rm -rf /", literals.length, 2, stamp)).toEqual([4, 5]);
    expect(scanAll(ac, "xé/üx", literals.length, 3, stamp)).toEqual([6]);
    expect(scanAll(ac, "", literals.length, 4, stamp)).toEqual([]);
  });

  it("reports a literal once per generation", () => {
    const ac = new AhoCorasick(["a"]);
    const stamp = new Uint32Array(1);
    expect(scanAll(ac, "aaaa", 1, 1, stamp)).toEqual([0]);
    expect(scanAll(ac, "aaaa", 1, 1, stamp)).toEqual([]);
    expect(scanAll(ac, "aaaa", 1, 2, stamp)).toEqual([0]);
  });

  it("agrees with String.includes on random inputs", () => {
    let seed = 12345;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const alphabet = "ab -/c";
    const word = (max: number): string => {
      let s = "";
      const n = 1 + Math.floor(next() * max);
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
      return s;
    };
    for (let round = 0; round < 200; round++) {
      const literals = Array.from({ length: 1 + Math.floor(next() * 30) }, () => word(5));
      const ac = new AhoCorasick(literals);
      const stamp = new Uint32Array(literals.length);
      for (let t = 0; t < 20; t++) {
        const text = word(40);
        const gen = round * 100 + t + 1;
        const expected = literals.flatMap((l, i) => (text.includes(l) ? [i] : []));
        expect(scanAll(ac, text, literals.length, gen, stamp)).toEqual(expected);
      }
    }
  });
});
