/**
 * A hosted app connects to URLs its users type in. Without this check any installation
 * admin could make it probe the operator's private network (cloud metadata endpoints,
 * internal services) through "Test connection". Hosted mode therefore only connects to
 * hosts whose every address is public; self-hosted deployments do not use it.
 */
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/** The host resolves to a loopback, private, link-local or otherwise non-public address. */
export class PrivateAddressError extends Error {
  readonly host: string;
  constructor(host: string) {
    super(`${host} resolves to a private or local network address`);
    this.name = "PrivateAddressError";
    this.host = host;
  }
}

const blocked = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["64:ff9b::", 96],
] as const) {
  blocked.addSubnet(network, prefix, "ipv6");
}

/** True when `address` (an IP literal) is not publicly routable. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, "ipv4");
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    return mapped ? blocked.check(mapped, "ipv4") : blocked.check(address, "ipv6");
  }
  return true;
}

/**
 * Resolves the URL's host and throws PrivateAddressError unless every address is public.
 * @example await assertPublicAddress("https://clickhouse.example.com:8443");
 */
export async function assertPublicAddress(url: string): Promise<void> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host)
    ? [host]
    : (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) {
    throw new PrivateAddressError(host);
  }
}
