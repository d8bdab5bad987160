// `--filter key=value` flags as the API's `filters` parameter ({"key": {"value": true}},
// the encoding docker's client sends).
import { UsageError } from '../../exit.js';

export function filtersQuery(filters: string[]): string | undefined {
  if (!filters.length) return undefined;
  const out: Record<string, Record<string, boolean>> = {};
  for (const filter of filters) {
    const eq = filter.indexOf('=');
    if (eq <= 0) throw new UsageError(`bad format of filter (expected name=value)`);
    const key = filter.slice(0, eq).trim().toLowerCase();
    (out[key] ??= {})[filter.slice(eq + 1).trim()] = true;
  }
  return JSON.stringify(out);
}
