import { describe, expect, it } from "vitest";
import { ApiError, apiErrorOf } from "./errors.ts";

describe("apiErrorOf", () => {
  it("reads the error model", async () => {
    const body = { error: { code: "FORBIDDEN", message: "no", request_id: "req_1", details: { a: 1 } } };
    const e = await apiErrorOf(new Response(JSON.stringify(body), { status: 403 }));
    expect(e).toBeInstanceOf(ApiError);
    expect([e.status, e.code, e.message, e.requestId, e.details]).toEqual([
      403,
      "FORBIDDEN",
      "no",
      "req_1",
      { a: 1 },
    ]);
  });

  it("gives any other failure a code too (HTTP_<status>)", async () => {
    const e = await apiErrorOf(new Response("<html>bad gateway</html>", { status: 502 }));
    expect(e.code).toBe("HTTP_502");
    expect(e.message).toContain("bad gateway");
  });
});
