// The side-by-side table the daemon benchmarks print: a label, berth's value, docker's value,
// their ratio and the target with its verdict.
const col = (s: string, w: number) => s.padStart(w);

/** `a/b` as `1.23x`, or n/a when either is missing or b is zero. */
export const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !b ? 'n/a' : `${(a / b).toFixed(2)}x`);

/** A printer of rows whose label column is `labelWidth` wide. */
export const rowPrinter = (labelWidth: number) => (label: string, berth: string, docker: string, r = '', target = '') =>
  console.log(`${label.padEnd(labelWidth)}${col(berth, 11)}${col(docker, 11)}${col(r, 10)}  ${target}`);

/** met / NOT met for `value` against `limit` (an upper bound when `atMost`), or not measured. */
export function verdict(value: number | undefined, limit: number, atMost: boolean): string {
  if (value === undefined) return 'not measured';
  return (atMost ? value <= limit : value >= limit) ? 'met' : 'NOT met';
}
