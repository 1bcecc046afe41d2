import { describe, expect, it } from "vitest";
import { ipAllowed, isValidRange } from "./ip-ranges.ts";

describe("ipAllowed", () => {
  it("allows everyone with no ranges", () => expect(ipAllowed("203.0.113.9", [])).toBe(true));
  it("matches IPv4 CIDR", () => {
    expect(ipAllowed("10.1.2.3", ["10.0.0.0/8"])).toBe(true);
    expect(ipAllowed("11.1.2.3", ["10.0.0.0/8"])).toBe(false);
  });
  it("matches IPv6 CIDR", () => {
    expect(ipAllowed("2001:db8::1", ["2001:db8::/32"])).toBe(true);
    expect(ipAllowed("2001:db9::1", ["2001:db8::/32"])).toBe(false);
  });
  it("matches single addresses and IPv4-mapped IPv6", () => {
    expect(ipAllowed("::ffff:192.0.2.7", ["192.0.2.7"])).toBe(true);
    expect(ipAllowed("192.0.2.8", ["192.0.2.7"])).toBe(false);
  });
  it("refuses garbage addresses", () => expect(ipAllowed("not-an-ip", ["0.0.0.0/0"])).toBe(false));
  it("validates ranges", () => {
    expect(isValidRange("10.0.0.0/8")).toBe(true);
    expect(isValidRange("2001:db8::/129")).toBe(false);
    expect(isValidRange("10.0.0.0/x")).toBe(false);
  });
});
