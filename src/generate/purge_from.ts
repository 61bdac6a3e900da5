/**
 * The addresses allowed to purge (`--purge-from`): IPv4 or IPv6 addresses and networks in CIDR
 * notation, checked strictly and written back in canonical form, so that what reaches a VCL
 * `acl` or an nginx `allow` line is exactly an address and never anything else.
 *
 * @module
 */

/**
 * One address or network allowed to purge.
 *
 * @example
 * ```ts
 * import type { PurgeSource } from "./purge_from.ts";
 *
 * const local: PurgeSource = { address: "10.0.0.0", prefix: 8, family: 4 };
 * ```
 */
export interface PurgeSource {
  /** The address, canonical: `10.0.0.0`, `fd00::`. */
  readonly address: string;
  /** The prefix length of a network, or `null` for a single address. */
  readonly prefix: number | null;
  readonly family: 4 | 6;
}

const IPV4 = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;
const IPV6_CHARACTERS = /^[0-9A-Fa-f:.]{2,45}$/;

/**
 * Reads `--purge-from` values.
 *
 * @param values Addresses (`127.0.0.1`, `::1`) or networks (`10.0.0.0/8`, `fd00::/8`).
 * @returns Each one canonical, duplicates removed.
 * @throws {TypeError} For anything else, and for a network whose address has bits set beyond
 *   its prefix (`10.0.0.1/8`), which nginx and Varnish would read differently.
 *
 * @example
 * ```ts
 * import { parsePurgeSources } from "./purge_from.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parsePurgeSources(["127.0.0.1", "10.0.0.0/8", "FD00::/8"]), [
 *   { address: "127.0.0.1", prefix: null, family: 4 },
 *   { address: "10.0.0.0", prefix: 8, family: 4 },
 *   { address: "fd00::", prefix: 8, family: 6 },
 * ]);
 * assert.throws(() => parsePurgeSources(["10.0.0.1/8"]), TypeError);
 * ```
 */
export function parsePurgeSources(values: readonly string[]): PurgeSource[] {
  const sources: PurgeSource[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    const source = parseSource(value);
    const key = `${source.address}/${source.prefix}`;
    if (!seen.has(key)) sources.push(source);
    seen.add(key);
  }
  return sources;
}

function parseSource(value: string): PurgeSource {
  const refuse = (why: string): never => {
    throw new TypeError(`--purge-from ${JSON.stringify(value)} ${why}`);
  };
  const slash = value.indexOf("/");
  const address = slash < 0 ? value : value.slice(0, slash);
  const prefixText = slash < 0 ? null : value.slice(slash + 1);
  if (prefixText !== null && !/^(0|[1-9]\d{0,2})$/.test(prefixText)) {
    refuse("has a prefix length that is not a number");
  }
  const prefix = prefixText === null ? null : Number(prefixText);
  const v4 = IPV4.exec(address);
  if (v4 !== null) {
    const bytes = v4.slice(1).map(Number);
    if (bytes.some((byte) => byte > 255)) refuse("is not an IPv4 address");
    if (prefix !== null && prefix > 32) refuse("has a prefix longer than 32");
    const bits = bytes.reduce((sum, byte) => sum * 256n + BigInt(byte), 0n);
    checkHostBits(bits, 32, prefix, refuse);
    return { address: bytes.join("."), prefix, family: 4 };
  }
  if (!IPV6_CHARACTERS.test(address) || !address.includes(":")) {
    return refuse("is not an IPv4 or IPv6 address, or a network in CIDR notation");
  }
  let canonical: string;
  try {
    canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return refuse("is not an IPv6 address");
  }
  if (prefix !== null && prefix > 128) refuse("has a prefix longer than 128");
  checkHostBits(ipv6Bits(canonical), 128, prefix, refuse);
  return { address: canonical, prefix, family: 6 };
}

function checkHostBits(
  bits: bigint,
  width: number,
  prefix: number | null,
  refuse: (why: string) => never,
): void {
  if (prefix === null) return;
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  if ((bits & hostMask) !== 0n) {
    refuse(`has address bits set beyond its /${prefix} prefix: name the network's first address`);
  }
}

/** An IPv6 address in the URL parser's canonical form as a 128-bit number. */
function ipv6Bits(canonical: string): bigint {
  const [head = "", tail] = canonical.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return groups.reduce((sum, group) => sum * 65536n + BigInt(`0x${group}`), 0n);
}

/**
 * The sources as VCL `acl` entries: `"10.0.0.0"/8;`.
 *
 * @example
 * ```ts
 * import { aclEntries } from "./purge_from.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(aclEntries([{ address: "::1", prefix: null, family: 6 }]), ['"::1";']);
 * ```
 */
export function aclEntries(sources: readonly PurgeSource[]): string[] {
  return sources.map((source) =>
    source.prefix === null ? `"${source.address}";` : `"${source.address}"/${source.prefix};`
  );
}

/**
 * The sources as nginx access rules: `allow 10.0.0.0/8;`, then `deny all;`.
 *
 * @example
 * ```ts
 * import { allowLines } from "./purge_from.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(allowLines([{ address: "127.0.0.1", prefix: null, family: 4 }]), [
 *   "allow 127.0.0.1;",
 *   "deny all;",
 * ]);
 * ```
 */
export function allowLines(sources: readonly PurgeSource[]): string[] {
  return [
    ...sources.map((source) =>
      `allow ${source.address}${source.prefix === null ? "" : `/${source.prefix}`};`
    ),
    "deny all;",
  ];
}
