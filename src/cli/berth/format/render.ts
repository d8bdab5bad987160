// docker's formatter: `table ...` formats print a header row and go through the tabwriter;
// `json` prints each item as one JSON line; anything else is a template executed per item,
// each followed by a newline. `\t` and `\n` typed in a shell argument mean tab and newline.
import { Template, headerFunctions } from './template.js';
import { tabulate } from './tabwriter.js';

export function isTable(format: string): boolean {
  return format.startsWith('table');
}

function preformat(format: string): string {
  let text = isTable(format) ? format.slice('table'.length) : format;
  text = text.trim();
  return text.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
}

/**
 * Renders `items` with `format`. `headers` names the column of each field (`ID` →
 * "CONTAINER ID"); fields without one are shown upper-cased.
 */
export function renderList(format: string, items: object[], headers: Record<string, string>): string {
  if (format === 'json') return items.map((item) => JSON.stringify(item) + '\n').join('');
  const template = new Template(preformat(format));
  const body = items.map((item) => template.execute(item) + '\n').join('');
  if (!isTable(format)) return body;
  const headerRow = template.execute(headerObject(headers), { functions: headerFunctions() });
  return tabulate(`${headerRow}\n${body}`);
}

function headerObject(headers: Record<string, string>): object {
  return new Proxy({}, {
    // Every field has a header: the template may name any of them.
    has: () => true,
    get: (_, key) => {
      if (typeof key !== 'string') return undefined;
      const header = headers[key] ?? key.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
      return header;
    },
  });
}

/** One template for one value (inspect --format): no table, a newline after each. */
export function renderOne(format: string, value: unknown): string {
  if (format === 'json') return JSON.stringify(value) + '\n';
  return new Template(preformat(format)).execute(value) + '\n';
}
