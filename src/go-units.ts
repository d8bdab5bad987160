// Docker's human units (github.com/docker/go-units), shared by the daemon (container status,
// pull progress, log-opts sizes) and the CLI: durations as `docker ps` shows them ("2 minutes",
// "About an hour"), sizes in decimal units ("4.26MB"), and the binary sizes that `-m 512m` and
// `max-size=10m` take.

/** go-units HumanDuration: the coarse phrase for a duration in milliseconds. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`;
}

const decimalUnits = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/**
 * go-units HumanSizeWithPrecision: decimal units, `precision` significant digits (%g); the
 * default 4 is go-units' HumanSize (progress bars), `docker images` and `ps -s` use 3.
 */
export function humanSize(bytes: number, precision = 4): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1000 && unit < decimalUnits.length - 1) {
    size /= 1000;
    unit++;
  }
  return `${formatG(size, precision)}${decimalUnits[unit]}`;
}

/** Go's %.Ng: N significant digits, no trailing zeros. */
function formatG(value: number, precision: number): string {
  if (value === 0) return '0';
  const text = value.toPrecision(precision);
  if (text.includes('e')) {
    const [mantissa, exponent] = text.split('e') as [string, string];
    const m = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
    const e = Number(exponent);
    return `${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

const binaryMultipliers: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
const decimalMultipliers: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };

/** go-units RAMInBytes: "512m", "1g", "1.5GiB", "100" (bytes); binary multiples. */
export function ramInBytes(text: string): number {
  return parseSize(text, binaryMultipliers);
}

/** go-units FromHumanSize: "10MB" in decimal multiples. */
export function fromHumanSize(text: string): number {
  return parseSize(text, decimalMultipliers);
}

function parseSize(text: string, multipliers: Record<string, number>): number {
  const match = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(text.trim());
  if (!match) throw new Error(`invalid size: '${text}'`);
  return Math.trunc(Number(match[1]) * multipliers[(match[2] ?? '').toLowerCase()]!);
}
