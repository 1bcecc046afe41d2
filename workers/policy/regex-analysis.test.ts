// The facts regex-analysis.ts derives must be implied by the regex: a wrong index key or required
// literal would let a command through. Checked on hand-picked patterns and, as a property, on
// thousands of random regexes against random canonical-shaped texts.

import { describe, expect, it } from "vitest";
import { analyzeRegex } from "./regex-analysis.ts";

describe("analyzeRegex", () => {
  it.each([
    ["^rm\\s+-rf\\s+/", true, [{ kind: "word", value: "rm" }], "-rf"],
    ["^dd\\s+if=/dev/", true, [{ kind: "word", value: "dd" }], "if=/dev/"],
    ["^mkfs\\.", true, [{ kind: "prefix", value: "mkfs." }], "mkfs."],
    ["^shutdown -h now", true, [{ kind: "word", value: "shutdown" }], "shutdown -h now"],
    ["^rm\\b", true, [{ kind: "prefix", value: "rm" }], "rm"],
    ["^reboot$", true, [{ kind: "word", value: "reboot" }], "reboot"],
    ["^rmx?", true, [{ kind: "prefix", value: "rm" }], "rm"],
    ["^rm+", true, [{ kind: "prefix", value: "rm" }], "rm"],
    ["^\\s*rm\\s", true, [{ kind: "word", value: "rm" }], "rm"],
    [
      "^(?:rm|rmdir)\\s",
      true,
      [
        { kind: "word", value: "rm" },
        { kind: "word", value: "rmdir" },
      ],
      null,
    ],
    [
      "^halt|^poweroff\\b",
      true,
      [
        { kind: "prefix", value: "halt" },
        { kind: "prefix", value: "poweroff" },
      ],
      null,
    ],
    ["^(?:sudo\\s+)?rm\\s", true, null, "rm"],
    ["^.*rm", true, null, "rm"],
    [":\\(\\)\\{\\s*:\\|:\\&\\s*\\};:", false, null, ":(){"],
    [">\\s*/dev/sd[a-z]", false, null, "/dev/sd"],
    ["a|b", false, null, null],
    ["^a|b", false, null, null],
    ["x\\d+y", false, null, null],
  ])("%s", (pattern, anchored, keys, literal) => {
    expect(analyzeRegex(pattern)).toEqual({ anchored, keys, literal });
  });
});

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("analyzeRegex soundness (property)", () => {
  const random = rng(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const ATOMS = ["r", "m", "f", "-", "/", " ", "\\s", "\\.", ".", "[rm]", "[^ ]", "\\b", "$"];
  const QUANTS = ["", "", "", "*", "+", "?", "{0,2}", "{1}", "{2}", "+?"];

  function sequence(depth: number): string {
    let s = "";
    const n = 1 + Math.floor(random() * 5);
    for (let i = 0; i < n; i++) {
      if (depth < 2 && random() < 0.15) {
        const alts = [sequence(depth + 1), sequence(depth + 1)];
        s += `(${random() < 0.5 ? "?:" : ""}${alts.join("|")})${pick(QUANTS)}`;
      } else {
        const atom = pick(ATOMS);
        s += atom === "\\b" || atom === "$" ? atom : `${atom}${pick(QUANTS)}`;
      }
    }
    return s;
  }

  function regex(): string {
    const branches = random() < 0.15 ? [sequence(0), sequence(0)] : [sequence(0)];
    return branches.map((b) => (random() < 0.6 ? `^${b}` : b)).join("|");
  }

  /** Texts shaped like canonical commands: words of the alphabet joined by single spaces. */
  function text(): string {
    const words: string[] = [];
    const n = 1 + Math.floor(random() * 3);
    for (let i = 0; i < n; i++) {
      let w = "";
      const len = 1 + Math.floor(random() * 4);
      for (let k = 0; k < len; k++) w += pick(["r", "m", "f", "-", "/", "."]);
      words.push(w);
    }
    return words.join(" ");
  }

  it("keys and literals never exclude a text the regex matches", () => {
    let matched = 0;
    for (let i = 0; i < 1500; i++) {
      const src = regex();
      let re: RegExp;
      try {
        re = new RegExp(src);
      } catch {
        continue;
      }
      const shape = analyzeRegex(src);
      for (let k = 0; k < 40; k++) {
        const t = text();
        if (!re.test(t)) continue;
        matched++;
        if (shape.literal !== null) expect(t, `${src} / literal ${shape.literal}`).toContain(shape.literal);
        if (shape.anchored && shape.keys !== null) {
          const space = t.indexOf(" ");
          const first = space < 0 ? t : t.slice(0, space);
          const ok = shape.keys.some((key) =>
            key.kind === "word" ? first === key.value : t.startsWith(key.value),
          );
          expect(ok, `${src} matched ${JSON.stringify(t)} outside keys ${JSON.stringify(shape.keys)}`).toBe(
            true,
          );
        }
      }
    }
    // The property is only meaningful if plenty of random pairs actually matched.
    expect(matched).toBeGreaterThan(2000);
  });
});
