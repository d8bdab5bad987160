// The value syntaxes of docker's network flags (pflag and docker/cli opts): string slices
// (`--alias a,b`, read as one CSV record), key=value maps (`-o k=v`), labels (opts.ValidateLabel)
// and links (opts.ValidateLink). Invalid values are flag errors, worded as pflag words them.
import { UsageError } from '../../../exit.js';

const flagError = (flag: string, value: string, reason: string) => new UsageError(`invalid argument "${value}" for "${flag}" flag: ${reason}`);

/** pflag's StringSlice: each occurrence is a CSV record ("a,b", "\"a,b\",c"); "" adds nothing. */
export function stringSlice(occurrences: string[], flag: string): string[] {
  const out: string[] = [];
  for (const value of occurrences) {
    if (value === '') continue;
    const fields = parseCsvRecord(value);
    if (typeof fields === 'string') throw flagError(flag, value, fields);
    out.push(...fields);
  }
  return out;
}

/** One record of Go's encoding/csv (comma-separated, RFC 4180 quotes); a string is an error. */
function parseCsvRecord(text: string): string[] | string {
  const line = text.split(/\r?\n/)[0]!;
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let field = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) return `parse error on line 1, column ${line.length + 1}: extraneous or missing " in quoted-field`;
        field += line.slice(j, q);
        if (line[q + 1] === '"') {
          field += '"';
          j = q + 2;
          continue;
        }
        if (q + 1 < line.length && line[q + 1] !== ',') return `parse error on line 1, column ${q + 2}: extraneous or missing " in quoted-field`;
        i = q + 1;
        break;
      }
      fields.push(field);
    } else {
      const comma = line.indexOf(',', i);
      const field = line.slice(i, comma < 0 ? undefined : comma);
      const quote = field.indexOf('"');
      if (quote >= 0) return `parse error on line 1, column ${i + quote + 1}: bare " in non-quoted-field`;
      fields.push(field);
      i = comma < 0 ? line.length : comma;
    }
    if (i >= line.length) return fields;
    i++; // the comma
    if (i >= line.length) {
      fields.push('');
      return fields;
    }
  }
}

/** opts.MapOpts without a validator: "k=v" sets k, "k" sets k to "" (later ones win). */
export function mapOpt(occurrences: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of mapOptEntries(occurrences)) out[k] = v;
  return out;
}

export function mapOptEntries(occurrences: string[]): [string, string][] {
  const entries = new Map<string, string>();
  for (const item of occurrences) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    entries.delete(key);
    entries.set(key, eq < 0 ? '' : item.slice(eq + 1));
  }
  return [...entries];
}

const whitespace = ' \t';
const trimLeft = (text: string) => text.replace(/^[ \t]+/, '');

/** opts.ValidateLabel then ConvertKVStringsToMap: `--label k=v`, `--label k` (value ""). */
export function parseLabels(occurrences: string[], flag = '--label'): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const value of occurrences) {
    const eq = value.indexOf('=');
    const key = trimLeft(eq < 0 ? value : value.slice(0, eq));
    if (key === '') throw flagError(flag, value, `invalid label '${value}': empty name`);
    if ([...whitespace].some((c) => key.includes(c))) throw flagError(flag, value, `label '${key}' contains whitespaces`);
    // Validated on the trimmed key, but kept as given (docker 28 sends " a=b" as " a").
    labels[eq < 0 ? value : value.slice(0, eq)] = eq < 0 ? '' : value.slice(eq + 1);
  }
  return labels;
}

/** opts.ValidateLink: "name" or "name:alias". */
export function validateLinks(occurrences: string[], flag = '--link'): string[] {
  for (const value of occurrences) {
    if (value === '') throw flagError(flag, value, 'empty string specified for links');
    if (value.split(':').length > 2) throw flagError(flag, value, `bad format for links: ${value}`);
  }
  return occurrences;
}

/** `network connect --driver-opt k=v`: keys and values trimmed; a pair is required. */
export function driverOpts(options: string[]): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const option of options) {
    const eq = option.indexOf('=');
    const key = (eq < 0 ? option : option.slice(0, eq)).trim();
    if (eq < 0 || key === '') return 'invalid key/value pair format in driver options';
    out[key] = option.slice(eq + 1).trim();
  }
  return out;
}
