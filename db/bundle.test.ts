// The migrations bundled into code (for the Worker) are exactly the drizzle-kit migration folders.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderBundle } from "./bundle-migrations.ts";

describe("db/migrations/bundle.ts", () => {
  it("is in sync with db/migrations (run `npm run db:generate`)", () => {
    expect(readFileSync("db/migrations/bundle.ts", "utf8")).toBe(renderBundle());
  });
});
