// The fields `docker network ls --format` offers (docker/cli network/formatter.go), computed from
// one entry of GET /networks; the natural order docker sorts names and port lines in
// (fvbommel/sortorder); and Go's time.Time.String() of a timestamp as the daemon sent it.
import type { NetworkResource } from '../../../../api/types/network.js';
import { truncateId } from '../../format/units.js';

export const networkHeaders: Record<string, string> = {
  ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv4: 'IPV4', IPv6: 'IPV6',
  Internal: 'INTERNAL', Labels: 'LABELS', CreatedAt: 'CREATED AT',
};

export const defaultNetworkTableFormat = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';

/** What `--format` (and `-q`) mean for `network ls`: docker's table, raw and quiet forms. */
export function networkListFormat(format: string | undefined, quiet: boolean): string {
  if (!format || format === 'table') return quiet ? '{{.ID}}' : defaultNetworkTableFormat;
  if (format === 'raw') return quiet ? 'network_id: {{.ID}}' : 'network_id: {{.ID}}\\nname: {{.Name}}\\ndriver: {{.Driver}}\\nscope: {{.Scope}}\\n';
  return format;
}

/** The row's fields in Go's JSON order (sorted keys), as `--format json` prints them. */
export interface NetworkRow {
  CreatedAt: string; Driver: string; ID: string; IPv4: string; IPv6: string; Internal: string;
  Labels: string; Name: string; Scope: string; Label: (name: string) => string;
}

export function networkRow(n: Partial<NetworkResource>, trunc: boolean): NetworkRow {
  const labels = n.Labels ?? {};
  return {
    CreatedAt: goTimeFromRfc3339(n.Created ?? ''),
    Driver: n.Driver ?? '',
    ID: trunc ? truncateId(n.Id ?? '') : (n.Id ?? ''),
    // A v1.43 daemon does not send EnableIPv4; docker then shows Go's zero value.
    IPv4: String(n.EnableIPv4 ?? false),
    IPv6: String(n.EnableIPv6 ?? false),
    Internal: String(n.Internal ?? false),
    Labels: Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(','),
    Name: n.Name ?? '',
    Scope: n.Scope ?? '',
    Label: (name: string) => labels[name] ?? '',
  };
}

/** Networks in the order `docker network ls` shows them: by name, naturally. */
export function sortNetworks<T extends { Name?: string }>(networks: T[]): T[] {
  return [...networks].sort((a, b) => naturalCompare(a.Name ?? '', b.Name ?? ''));
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/**
 * sortorder.NaturalLess: byte-wise, but runs of digits compare as numbers ("net9" < "net10"),
 * digits sort before other characters, and with equal values fewer leading zeros come first.
 */
export function naturalLess(a: string, b: string): boolean {
  const s1 = Buffer.from(a);
  const s2 = Buffer.from(b);
  let i1 = 0;
  let i2 = 0;
  while (i1 < s1.length && i2 < s2.length) {
    const c1 = s1[i1]!;
    const c2 = s2[i2]!;
    const d1 = isDigit(c1);
    const d2 = isDigit(c2);
    if (d1 !== d2) return d1;
    if (!d1) {
      if (c1 !== c2) return c1 < c2;
      i1++;
      i2++;
      continue;
    }
    while (i1 < s1.length && s1[i1] === 0x30) i1++;
    while (i2 < s2.length && s2[i2] === 0x30) i2++;
    const nz1 = i1;
    const nz2 = i2;
    while (i1 < s1.length && isDigit(s1[i1]!)) i1++;
    while (i2 < s2.length && isDigit(s2[i2]!)) i2++;
    const len1 = i1 - nz1;
    const len2 = i2 - nz2;
    if (len1 !== len2) return len1 < len2;
    const n1 = s1.subarray(nz1, i1).toString('latin1');
    const n2 = s2.subarray(nz2, i2).toString('latin1');
    if (n1 !== n2) return n1 < n2;
    if (nz1 !== nz2) return nz1 < nz2;
  }
  return s1.length < s2.length;
}

/** naturalLess as a comparator for Array.prototype.sort. */
export function naturalCompare(a: string, b: string): number {
  if (naturalLess(a, b)) return -1;
  return naturalLess(b, a) ? 1 : 0;
}

/**
 * Go's time.Time.String() of an RFC 3339 timestamp as json.Unmarshal reads it:
 * "2024-05-01 12:00:00.123456789 +0000 UTC" (fraction without trailing zeros, dropped when
 * zero); an offset other than Z or +00:00 gets Go's fabricated zone, "+0200 +0200". Anything
 * unparsable is Go's zero time.
 */
export function goTimeFromRfc3339(text: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return '0001-01-01 00:00:00 +0000 UTC';
  const [, y, mo, d, h, mi, s, frac = '', zone] = m as unknown as [string, string, string, string, string, string, string, string | undefined, string];
  const fraction = frac.slice(0, 9).replace(/0+$/, '');
  const utc = zone === 'Z' || zone === 'z' || zone === '+00:00';
  const offset = utc ? '+0000' : zone.replace(':', '');
  return `${y}-${mo}-${d} ${h}:${mi}:${s}${fraction ? `.${fraction}` : ''} ${offset} ${utc ? 'UTC' : offset}`;
}
