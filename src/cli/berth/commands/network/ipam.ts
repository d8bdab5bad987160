// `docker network create`'s IPAM flags as the request's IPAM.Config: docker/cli pairs every
// --ip-range, --gateway and --aux-address with the --subnet that contains it, refuses
// overlapping subnets, two ranges or gateways on one subnet and values no subnet contains, with
// docker's own messages. Addresses are parsed as Go's net.ParseIP/ParseCIDR parse them.
import type { IPAM, IPAMConfig } from '../../../../api/types/network.js';

/** A failure docker reports as a plain error (exit status 1), before anything is sent. */
export class IpamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IpamError';
  }
}

export interface IpamOptions {
  driver: string;
  subnets: string[];
  ipRanges: string[];
  gateways: string[];
  /** --aux-address name=address, in the order given. */
  auxAddresses: [string, string][];
  driverOpts: Record<string, string>;
}

export function createIpamConfig(options: IpamOptions): IPAM {
  const { subnets, ipRanges, gateways } = options;
  if (subnets.length < ipRanges.length || subnets.length < gateways.length) {
    throw new IpamError('every ip-range or gateway must have a corresponding subnet');
  }
  // Kept in the order given (docker's map makes its order random).
  const data = new Map<string, IPAMConfig & { AuxiliaryAddresses: Record<string, string> }>();

  for (const s of subnets) {
    for (const k of data.keys()) {
      const ok1 = subnetMatches(s, k);
      const ok2 = subnetMatches(k, s);
      if (ok1 || ok2) throw new IpamError('multiple overlapping subnet configuration is not supported');
    }
    data.set(s, { Subnet: s, AuxiliaryAddresses: {} });
  }

  for (const r of ipRanges) {
    let match = false;
    for (const s of subnets) {
      if (!parseCidr(r)) throw new IpamError(`invalid CIDR address: ${r}`);
      if (!subnetMatches(s, r)) continue;
      const config = data.get(s)!;
      if (config.IPRange) throw new IpamError(`cannot configure multiple ranges (${r}, ${config.IPRange}) on the same subnet (${s})`);
      config.IPRange = r;
      match = true;
    }
    if (!match) throw new IpamError(`no matching subnet for range ${r}`);
  }

  for (const g of gateways) {
    let match = false;
    for (const s of subnets) {
      if (!subnetMatches(s, g)) continue;
      const config = data.get(s)!;
      if (config.Gateway) throw new IpamError(`cannot configure multiple gateways (${g}, ${config.Gateway}) for the same subnet (${s})`);
      config.Gateway = g;
      match = true;
    }
    if (!match) throw new IpamError(`no matching subnet for gateway ${g}`);
  }

  for (const [key, address] of options.auxAddresses) {
    let match = false;
    for (const s of subnets) {
      if (!subnetMatches(s, address)) continue;
      data.get(s)!.AuxiliaryAddresses[key] = address;
      match = true;
    }
    if (!match) throw new IpamError(`no matching subnet for aux-address ${address}`);
  }

  const config: IPAMConfig[] = [...data.values()].map(({ AuxiliaryAddresses, ...rest }) => (
    Object.keys(AuxiliaryAddresses).length ? { ...rest, AuxiliaryAddresses } : rest
  ));
  return { Driver: options.driver, Options: options.driverOpts, Config: config };
}

/** Whether `data` (an address, or the address of a CIDR) lies in the CIDR `subnet`. */
export function subnetMatches(subnet: string, data: string): boolean {
  const network = parseCidr(subnet);
  if (!network) throw new IpamError(`invalid subnet: invalid CIDR address: ${subnet}`);
  let ip: Uint8Array | undefined;
  if (data.includes('/')) {
    const parsed = parseCidr(data);
    if (!parsed) throw new IpamError(`invalid CIDR address: ${data}`);
    ip = parsed.ip;
  } else {
    ip = parseIp(data);
  }
  return ip !== undefined && contains(network, ip);
}

interface Cidr {
  /** The address as written (4 or 16 bytes). */
  ip: Uint8Array;
  /** The network: the address masked, as long as the mask. */
  network: Uint8Array;
  mask: Uint8Array;
}

/** Go's net.ParseCIDR: "10.0.0.1/24" (host bits allowed), "fd00::/64". */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = text.slice(0, slash);
  const bitsText = text.slice(slash + 1);
  const ip = parseIp(address);
  if (!ip || !/^\d+$/.test(bitsText) || bitsText.length > 8) return undefined;
  // The written form decides the family: "::ffff:10.0.0.0/104" is an IPv6 network.
  const length = ip.length;
  const bits = Number(bitsText);
  if (bits > length * 8) return undefined;
  const mask = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const n = Math.max(0, Math.min(8, bits - i * 8));
    mask[i] = n === 0 ? 0 : (0xff << (8 - n)) & 0xff;
  }
  const network = ip.map((b, i) => b & mask[i]!);
  return { ip, network, mask };
}

/** Go's net.ParseIP: dotted IPv4 (no leading zeros), or IPv6 (with an IPv4 tail); no zone. */
export function parseIp(text: string): Uint8Array | undefined {
  if (text.includes('.') && !text.includes(':')) return parseIpv4(text);
  if (text.includes(':')) return parseIpv6(text);
  return undefined;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^\d{1,3}$/.test(part) || (part.length > 1 && part.startsWith('0')) || Number(part) > 255) return undefined;
    bytes[i] = Number(part);
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | undefined {
  let head = text;
  let tail: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail = parseIpv4(text.slice(lastColon + 1));
    if (!tail) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const group = (g: string) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN);
  const split = (s: string) => (s === '' ? [] : s.split(':').map(group));
  const left = split(halves[0]!);
  const right = halves.length === 2 ? split(halves[1]!) : [];
  if ([...left, ...right].some((n) => Number.isNaN(n))) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...left, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((n, i) => {
    bytes[i * 2] = n >> 8;
    bytes[i * 2 + 1] = n & 0xff;
  });
  if (tail) bytes.set(tail, 12);
  return bytes;
}

function isV4Mapped(ip: Uint8Array): boolean {
  return ip.length === 16 && ip.subarray(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff;
}

function to4(ip: Uint8Array): Uint8Array | undefined {
  if (ip.length === 4) return ip;
  return isV4Mapped(ip) ? ip.subarray(12) : undefined;
}

/**
 * Go's IPNet.Contains: an IPv4 address only in an IPv4 network (one written as an IPv4-mapped
 * IPv6 network counts as IPv4), an IPv6 address only in an IPv6 network.
 */
function contains(cidr: Cidr, ip: Uint8Array): boolean {
  const address = to4(ip) ?? ip;
  const network = to4(cidr.network) ?? cidr.network;
  const mask = network.length === 4 && cidr.mask.length === 16 ? cidr.mask.subarray(12) : cidr.mask;
  if (address.length !== network.length) return false;
  return address.every((b, i) => (b & mask[i]!) === network[i]);
}
