// `GET /containers/json?all=&limit=&filters=`: newest first, running ones only unless `all`,
// with Docker's filters: status, name (substring or regexp), id (prefix), label, ancestor
// (image name or id), exited (exit code).
import { InvalidArgument } from '../../../errors.js';
import type { ContainerContext } from './context.js';
import { containerSummary } from './inspect.js';
import type { ContainerRecord } from './record.js';

export interface ListOptions {
  all: boolean;
  limit?: number | undefined;
  filters: Map<string, string[]>;
}

const statuses = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];
const knownFilters = ['status', 'name', 'id', 'label', 'ancestor', 'exited', 'before', 'since', 'network', 'volume', 'health', 'isolation', 'publish', 'expose', 'is-task'];

export function listContainers(ctx: ContainerContext, options: ListOptions) {
  for (const [key, values] of options.filters) {
    if (!knownFilters.includes(key)) throw new InvalidArgument(`invalid filter '${key}'`);
    if (key === 'status') for (const v of values) if (!statuses.includes(v)) throw new InvalidArgument(`invalid filter 'status=${v}'`);
    if (key === 'exited') for (const v of values) if (!/^-?\d+$/.test(v)) throw new InvalidArgument(`invalid filter 'exited=${v}'`);
  }
  const all = options.all || (options.limit ?? 0) > 0 || options.filters.has('status') || options.filters.has('exited');
  let records = ctx.store.all().sort((a, b) => Date.parse(b.created) - Date.parse(a.created) || b.id.localeCompare(a.id));
  const before = boundary(ctx, options.filters.get('before'));
  const since = boundary(ctx, options.filters.get('since'));
  records = records.filter((r) => {
    if (!all && r.state.status !== 'running' && r.state.status !== 'paused' && r.state.status !== 'restarting') return false;
    if (before && Date.parse(r.created) >= Date.parse(before.created)) return false;
    if (since && Date.parse(r.created) <= Date.parse(since.created)) return false;
    return matchesFilters(ctx, r, options.filters);
  });
  if (options.limit && options.limit > 0) records = records.slice(0, options.limit);
  return records.map((r) => containerSummary(ctx, r));
}

function boundary(ctx: ContainerContext, values: string[] | undefined): ContainerRecord | undefined {
  return values?.length ? ctx.store.get(values[0]!) : undefined;
}

function matchesFilters(ctx: ContainerContext, r: ContainerRecord, filters: Map<string, string[]>): boolean {
  const any = (key: string, test: (v: string) => boolean) => {
    const values = filters.get(key);
    return !values?.length || values.some(test);
  };
  return any('status', (v) => r.state.status === v)
    && any('name', (v) => nameMatches(r.name, v))
    && any('id', (v) => r.id.startsWith(v))
    && (filters.get('label') ?? []).every((v) => {
      const [k, val] = v.split('=', 2) as [string, string | undefined];
      const labels = r.config.Labels ?? {};
      return val === undefined ? k in labels : labels[k] === val;
    })
    && any('ancestor', (v) => ancestorMatches(ctx, r, v))
    && any('exited', (v) => r.state.status === 'exited' && r.state.exitCode === Number(v));
}

/** Docker matches names as regular expressions (a plain name is a substring match). */
function nameMatches(name: string, pattern: string): boolean {
  try {
    return new RegExp(pattern.replace(/^\//, '')).test(name);
  } catch {
    return name.includes(pattern);
  }
}

function ancestorMatches(ctx: ContainerContext, r: ContainerRecord, text: string): boolean {
  if (r.imageName === text || r.image === text || r.image.replace('sha256:', '').startsWith(text.replace('sha256:', ''))) return true;
  const image = ctx.images.store.find(text);
  return image !== undefined && image.id === r.image;
}
