// allowed_ip_ranges: IPv4 and IPv6 CIDR (or single addresses), matched with ipaddr.js.
import ipaddr from "ipaddr.js";

export function isValidRange(range: string): boolean {
  try {
    if (range.includes("/")) ipaddr.parseCIDR(range);
    else ipaddr.parse(range);
    return true;
  } catch {
    return false;
  }
}

function normalise(addr: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress()
    ? (addr as ipaddr.IPv6).toIPv4Address()
    : addr;
}

/** True when `ip` is inside one of `ranges`; an empty list allows everyone. */
export function ipAllowed(ip: string, ranges: readonly string[] | undefined): boolean {
  if (!ranges || ranges.length === 0) return true;
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = normalise(ipaddr.parse(ip));
  } catch {
    return false;
  }
  return ranges.some((range) => {
    try {
      const [net, bits] = range.includes("/")
        ? ipaddr.parseCIDR(range)
        : ([ipaddr.parse(range), ipaddr.parse(range).kind() === "ipv4" ? 32 : 128] as const);
      const n = normalise(net);
      if (n.kind() !== addr.kind()) return false;
      const prefix = n.kind() === "ipv4" && net.kind() === "ipv6" ? bits - 96 : bits;
      return addr.match(n, prefix);
    } catch {
      return false;
    }
  });
}
