import { describe, expect, it } from "vitest";
import { csvCell, csvLine } from "./csv.ts";

describe("csv", () => {
  it("leaves plain cells alone and empties nulls", () => {
    expect(csvCell("user.login")).toBe("user.login");
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
  });
  it("quotes commas, quotes and line breaks", () => {
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell(" padded")).toBe('" padded"');
  });
  it("defuses formulas", () => {
    for (const f of ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
      expect(csvCell(f).replace(/^"/, "")[0]).toBe("'");
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
  });
  it("serialises objects as JSON and ends lines with CRLF", () => {
    expect(csvLine(["a", { k: "v" }, 3])).toBe('a,"{""k"":""v""}",3\r\n');
  });
});
