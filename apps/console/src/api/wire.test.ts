import { describe, expect, it } from "vitest";
import { field, pageQuery, snake, str, strings, toPage } from "./wire.ts";

describe("wire", () => {
  it("reads a field in either casing", () => {
    expect(snake("companyName")).toBe("company_name");
    expect(field({ companyName: "A" }, "companyName")).toBe("A");
    expect(field({ company_name: "B" }, "companyName")).toBe("B");
    expect(str({ port: 22 }, "port")).toBe("22");
    expect(str({}, "missing")).toBe("");
    expect(strings({ features: ["ssh", 3, "exec"] }, "features")).toEqual(["ssh", "exec"]);
  });

  it("reads pagination in either casing", () => {
    const camel = toPage(
      { data: [{ id: "1" }], pagination: { page: 2, pageSize: 10, total: 11 } },
      (r) => r.id,
    );
    const snakeCase = toPage(
      { data: [{ id: "1" }], pagination: { page: 2, page_size: 10, total: 11 } },
      (r) => r.id,
    );
    expect(camel).toEqual({ items: ["1"], page: 2, pageSize: 10, total: 11 });
    expect(snakeCase).toEqual(camel);
    expect(toPage(null, (r) => r).items).toEqual([]);
    expect(pageQuery(1, 50)).toEqual({ page: 1, pageSize: 50, page_size: 50 });
  });
});
