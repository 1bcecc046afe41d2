// Aho-Corasick automaton over every literal the rules need (contains patterns and the required
// literals of regexes): one linear pass per text reports all of them, instead of one includes() or
// regex test per rule. Built once per compilePolicies into a dense transition table.

export class AhoCorasick {
  private readonly asciiClass = new Uint16Array(128);
  private readonly otherClass = new Map<number, number>();
  private readonly classes: number;
  private readonly table: Uint32Array;
  private readonly outStart: Uint32Array;
  private readonly outIds: Uint32Array;

  /** Literal i gets id i; empty literals never match. */
  constructor(literals: readonly string[]) {
    let classes = 1; // class 0: a character no literal contains
    for (const lit of literals) {
      for (let i = 0; i < lit.length; i++) {
        const c = lit.charCodeAt(i);
        if (c < 128) {
          if (this.asciiClass[c] === 0) this.asciiClass[c] = classes++;
        } else if (!this.otherClass.has(c)) this.otherClass.set(c, classes++);
      }
    }
    this.classes = classes;

    const goto: Map<number, number>[] = [new Map()];
    const own: number[][] = [[]];
    literals.forEach((lit, id) => {
      if (lit === "") return;
      let state = 0;
      for (let i = 0; i < lit.length; i++) {
        const cls = this.classOf(lit.charCodeAt(i));
        const edges = goto[state] as Map<number, number>;
        let next = edges.get(cls);
        if (next === undefined) {
          next = goto.length;
          goto.push(new Map());
          own.push([]);
          edges.set(cls, next);
        }
        state = next;
      }
      (own[state] as number[]).push(id);
    });

    const states = goto.length;
    const table = new Uint32Array(states * classes);
    const fail = new Uint32Array(states);
    const outputs: number[][] = own.map((o) => o.slice());
    const queue: number[] = [];
    for (const [cls, next] of goto[0] as Map<number, number>) {
      table[cls] = next;
      queue.push(next);
    }
    for (let q = 0; q < queue.length; q++) {
      const state = queue[q] as number;
      const f = fail[state] as number;
      for (const id of outputs[f] as number[]) (outputs[state] as number[]).push(id);
      const row = state * classes;
      const failRow = f * classes;
      for (let cls = 0; cls < classes; cls++) table[row + cls] = table[failRow + cls] as number;
      for (const [cls, next] of goto[state] as Map<number, number>) {
        fail[next] = table[failRow + cls] as number;
        table[row + cls] = next;
        queue.push(next);
      }
    }
    this.table = table;

    const outStart = new Uint32Array(states + 1);
    let total = 0;
    for (let s = 0; s < states; s++) {
      outStart[s] = total;
      total += (outputs[s] as number[]).length;
    }
    outStart[states] = total;
    const outIds = new Uint32Array(total);
    for (let s = 0; s < states; s++) outIds.set(outputs[s] as number[], outStart[s] as number);
    this.outStart = outStart;
    this.outIds = outIds;
  }

  private classOf(c: number): number {
    return c < 128 ? (this.asciiClass[c] as number) : (this.otherClass.get(c) ?? 0);
  }

  /** Writes to `hits` each literal id found in text and not yet stamped with `gen`; returns how many.
   * `hits` needs room for every literal (each is reported at most once per gen). */
  scan(text: string, hits: Uint32Array, stamp: Uint32Array, gen: number): number {
    let count = 0;
    const table = this.table;
    const classes = this.classes;
    const ascii = this.asciiClass;
    const outStart = this.outStart;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const cls = c < 128 ? (ascii[c] as number) : (this.otherClass.get(c) ?? 0);
      state = table[state * classes + cls] as number;
      const from = outStart[state] as number;
      const to = outStart[state + 1] as number;
      for (let k = from; k < to; k++) {
        const id = this.outIds[k] as number;
        if (stamp[id] !== gen) {
          stamp[id] = gen;
          hits[count++] = id;
        }
      }
    }
    return count;
  }
}
