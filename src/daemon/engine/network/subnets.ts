// IPv4 subnets as berth's networks need them: parse and check what users give (`--subnet`,
// `--gateway`, `--ip-range`, `--ip`, `--bip`), and carve new subnets out of an address pool
// without overlapping what the host or other networks already route.
import { InvalidArgument } from '../../../errors.js';

export interface Subnet {
  /** The network address as a 32-bit unsigned number. */
  base: number;
  prefix: number;
}

export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

export function formatIPv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff - (2 ** (32 - prefix) - 1));
}

/** "10.1.0.0/16" → Subnet; the host bits must be zero unless `allowHostBits` (as in `--bip`). */
export function parseSubnet(text: string, what = 'subnet', allowHostBits = false): Subnet {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  const address = m ? parseIPv4(m[1]!) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (address === undefined || !(prefix >= 0 && prefix <= 32)) {
    throw new InvalidArgument(`invalid ${what} ${text}: expected an IPv4 CIDR such as 10.10.0.0/16`);
  }
  const base = (address & mask(prefix)) >>> 0;
  if (!allowHostBits && base !== address) {
    throw new InvalidArgument(`invalid ${what} ${text}: it has host bits set (did you mean ${formatIPv4(base)}/${prefix}?)`);
  }
  return { base, prefix };
}

export function formatSubnet(subnet: Subnet): string {
  return `${formatIPv4(subnet.base)}/${subnet.prefix}`;
}

export function subnetSize(subnet: Subnet): number {
  return 2 ** (32 - subnet.prefix);
}

export function contains(subnet: Subnet, address: number): boolean {
  return address >= subnet.base && address < subnet.base + subnetSize(subnet);
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  return a.base < b.base + subnetSize(b) && b.base < a.base + subnetSize(a);
}

/** The first usable address, the gateway Docker picks when none is given. */
export function firstHost(subnet: Subnet): number {
  return subnet.base + 1;
}

/** An address the user named for this subnet: inside it, and neither its network nor broadcast address. */
export function checkHostAddress(subnet: Subnet, text: string, what: string): number {
  const address = parseIPv4(text);
  if (address === undefined) throw new InvalidArgument(`invalid ${what} ${text}: not an IPv4 address`);
  if (!contains(subnet, address)) throw new InvalidArgument(`${what} ${text} is not in subnet ${formatSubnet(subnet)}`);
  if (subnet.prefix < 31 && (address === subnet.base || address === subnet.base + subnetSize(subnet) - 1)) {
    throw new InvalidArgument(`${what} ${text} is the network or broadcast address of ${formatSubnet(subnet)}`);
  }
  return address;
}

/**
 * The first subnet of `size` (a prefix length) inside `pool` that overlaps none of `taken`:
 * Docker's default-address-pools walk.
 */
export function carveSubnet(pool: Subnet, size: number, taken: readonly Subnet[]): Subnet | undefined {
  if (size < pool.prefix) return undefined;
  const step = 2 ** (32 - size);
  for (let base = pool.base; base < pool.base + subnetSize(pool); base += step) {
    const candidate = { base, prefix: size };
    if (!taken.some((t) => overlaps(t, candidate))) return candidate;
  }
  return undefined;
}
