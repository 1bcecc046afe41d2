// Where a relayed watcher's relay should run (docs/fan-out.md, "Placement"): the Durable Object location
// hint for the place the watcher connects from, read from the `request.cf` Cloudflare's edge attaches to
// every request (continent, country, longitude) — never from anything the client sends. The room groups
// relayed watchers by this hint and creates each group's relays with it (`namespace.get(id,
// { locationHint })`), so a relay serves a slice of the watchers near it and each region costs one
// long-haul copy of the stream. Unknown or absent location → null: the relay is created without a hint
// (near the room that creates it). Pure so the mapping is unit-tested; the hints are the ones the
// Durable Objects API accepts (`DurableObjectLocationHint`).

export const LOCATION_HINTS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
export type LocationHint = (typeof LOCATION_HINTS)[number];

/** The part of `request.cf` placement reads (strings as the edge gives them; any may be absent). */
export interface RequestLocation {
  continent?: unknown;
  country?: unknown;
  longitude?: unknown;
}

/** Central and eastern Europe and the Balkans (Cloudflare's `eeur`); the rest of Europe is `weur`. */
const EASTERN_EUROPE = new Set(
  "AL BA BG BY CZ EE GR HR HU LT LV MD ME MK PL RO RS RU SI SK UA XK".split(" "),
);

/** Asian countries of the Middle East (Cloudflare's `me`); the rest of Asia is `apac`. */
const MIDDLE_EAST = new Set("AE AM AZ BH CY GE IL IQ IR JO KW LB OM PS QA SA SY TR YE".split(" "));

/** West of this longitude North America is `wnam` (the Rockies, roughly); east of it `enam`. */
const WEST_NORTH_AMERICA_BELOW = -100;

const text = (v: unknown): string => (typeof v === "string" ? v.toUpperCase() : "");

/** The location hint for a request's `cf`, or null when the edge does not say where it came from. */
export function locationHintFor(raw: unknown): LocationHint | null {
  if (typeof raw !== "object" || raw === null) return null;
  const cf = raw as RequestLocation;
  const country = text(cf.country);
  switch (text(cf.continent)) {
    case "AF":
      return "afr";
    case "SA":
      return "sam";
    case "OC":
      return "oc";
    case "EU":
      return EASTERN_EUROPE.has(country) ? "eeur" : "weur";
    case "AS":
      return MIDDLE_EAST.has(country) ? "me" : "apac";
    case "NA": {
      const longitude = Number.parseFloat(typeof cf.longitude === "string" ? cf.longitude : "");
      return Number.isFinite(longitude) && longitude < WEST_NORTH_AMERICA_BELOW ? "wnam" : "enam";
    }
    default:
      // Antarctica, Tor ("T1"), or a location the edge could not determine: no hint.
      return null;
  }
}

/** The header the Worker always sets on a watcher's upgrade to the room (overwriting any a client sent). */
export const LOCATION_HINT_HEADER = "x-nostromo-location-hint";

/** A hint as it travels from the Worker to the room (a header the Worker always sets), or null. */
export function parseLocationHint(raw: string | null | undefined): LocationHint | null {
  return (LOCATION_HINTS as readonly string[]).includes(raw ?? "") ? (raw as LocationHint) : null;
}
