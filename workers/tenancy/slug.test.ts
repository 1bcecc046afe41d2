import { describe, expect, it } from "vitest";
import { RESERVED_SUBDOMAINS, SUBDOMAIN_RE, slugify, uniqueSubdomain } from "./slug.ts";

describe("slugify", () => {
  it.each([
    ["Restaurante La Paella", "restaurante-la-paella"],
    ["Ñandú Café", "nandu-cafe"],
    ["  ACME, Inc.  ", "acme-inc"],
    ["Crème Brûlée & Co", "creme-brulee-co"],
    ["'; DROP TABLE tenants; --", "drop-table-tenants"],
    ["東京", ""],
  ])("%s → %s", (name, slug) => expect(slugify(name)).toBe(slug));

  it("keeps slugs DNS-label safe and short", () => {
    const s = slugify("x".repeat(10_000));
    expect(s.length).toBeLessThanOrEqual(48);
    expect(SUBDOMAIN_RE.test(s)).toBe(true);
  });

  it("knows the reserved names", () => {
    for (const r of ["www", "api", "admin"]) expect(RESERVED_SUBDOMAINS.has(r)).toBe(true);
  });
});

describe("uniqueSubdomain", () => {
  it("suffixes on collision", async () => {
    const used = new Set(["acme", "acme-2"]);
    expect(await uniqueSubdomain("acme", async (c) => used.has(c))).toBe("acme-3");
    expect(await uniqueSubdomain("free", async (c) => used.has(c))).toBe("free");
  });
});
