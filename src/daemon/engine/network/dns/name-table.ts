// The names one network's DNS server answers for: each endpoint (owner) on the network contributes
// its names (container name, aliases, short id) and its IPv4 address.
import { isIPv4 } from 'node:net';

interface Entry {
  names: string[];
  ipv4: string;
}

export class DnsNameTable {
  // Insertion-ordered, so an alias shared by several endpoints resolves in the order they joined.
  private readonly owners = new Map<string, Entry>();
  private readonly ownersByName = new Map<string, Set<string>>();

  /** Records `owner`'s names and address, replacing whatever it had before. */
  set(owner: string, names: string[], ipv4: string): void {
    if (!isIPv4(ipv4)) throw new TypeError(`not an IPv4 address: ${ipv4}`);
    this.remove(owner);
    const kept = [...new Set(names.map(withoutTrailingDot).filter((name) => name.length > 0))];
    this.owners.set(owner, { names: kept, ipv4 });
    for (const name of kept) {
      const key = name.toLowerCase();
      let owners = this.ownersByName.get(key);
      if (!owners) this.ownersByName.set(key, (owners = new Set()));
      owners.add(owner);
    }
  }

  remove(owner: string): void {
    const entry = this.owners.get(owner);
    if (!entry) return;
    this.owners.delete(owner);
    for (const name of entry.names) {
      const key = name.toLowerCase();
      const owners = this.ownersByName.get(key);
      owners?.delete(owner);
      if (owners?.size === 0) this.ownersByName.delete(key);
    }
  }

  /** The addresses of every owner with this name (case-insensitive, one trailing dot ignored). */
  resolve(name: string): string[] {
    const owners = this.ownersByName.get(withoutTrailingDot(name).toLowerCase());
    if (!owners) return [];
    const addresses = new Set<string>();
    for (const owner of owners) addresses.add(this.owners.get(owner)!.ipv4);
    return [...addresses];
  }

  /** The first name of the first owner with this address. */
  reverse(ipv4: string): string | undefined {
    for (const entry of this.owners.values()) {
      if (entry.ipv4 === ipv4 && entry.names.length > 0) return entry.names[0];
    }
    return undefined;
  }
}

function withoutTrailingDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}
