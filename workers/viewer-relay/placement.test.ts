import { describe, expect, it } from "vitest";
import { LOCATION_HINTS, locationHintFor, parseLocationHint } from "./placement.ts";

describe("locationHintFor", () => {
  it("maps where the edge says a request came from to the nearest Durable Object region", () => {
    expect(locationHintFor({ continent: "EU", country: "DE" })).toBe("weur");
    expect(locationHintFor({ continent: "EU", country: "GB" })).toBe("weur");
    expect(locationHintFor({ continent: "EU", country: "PL" })).toBe("eeur");
    expect(locationHintFor({ continent: "AS", country: "JP" })).toBe("apac");
    expect(locationHintFor({ continent: "AS", country: "AE" })).toBe("me");
    expect(locationHintFor({ continent: "AF", country: "NG" })).toBe("afr");
    expect(locationHintFor({ continent: "SA", country: "BR" })).toBe("sam");
    expect(locationHintFor({ continent: "OC", country: "AU" })).toBe("oc");
  });

  it("splits North America at the Rockies by the request's longitude", () => {
    expect(locationHintFor({ continent: "NA", country: "US", longitude: "-122.41940" })).toBe("wnam");
    expect(locationHintFor({ continent: "NA", country: "US", longitude: "-74.00600" })).toBe("enam");
    // wrangler dev's placeholder when it cannot fetch a real `cf` (Austin, Texas).
    expect(locationHintFor({ continent: "NA", country: "US", longitude: "-97.74260" })).toBe("enam");
    expect(locationHintFor({ continent: "NA", country: "CA" })).toBe("enam");
  });

  it("gives no hint when the edge does not say, or says something it cannot place", () => {
    expect(locationHintFor(undefined)).toBeNull();
    expect(locationHintFor(null)).toBeNull();
    expect(locationHintFor({})).toBeNull();
    expect(locationHintFor({ continent: "AN" })).toBeNull();
    expect(locationHintFor({ country: "T1" })).toBeNull();
    expect(locationHintFor({ continent: 7 })).toBeNull();
    expect(locationHintFor("EU")).toBeNull();
  });

  it("only ever answers a hint the Durable Objects API accepts", () => {
    const continents = ["AF", "AN", "AS", "EU", "NA", "OC", "SA", "XX"];
    for (const continent of continents)
      for (const country of ["DE", "PL", "AE", "JP", "US", ""])
        for (const longitude of ["-150", "-50", "", "x"]) {
          const hint = locationHintFor({ continent, country, longitude });
          if (hint !== null) expect(LOCATION_HINTS).toContain(hint);
        }
  });
});

describe("parseLocationHint", () => {
  it("takes a known hint and nothing else", () => {
    expect(parseLocationHint("apac")).toBe("apac");
    expect(parseLocationHint("")).toBeNull();
    expect(parseLocationHint(null)).toBeNull();
    expect(parseLocationHint("mars")).toBeNull();
    expect(parseLocationHint("APAC")).toBeNull();
  });
});
