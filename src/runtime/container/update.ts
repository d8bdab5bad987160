// `update`: changes the resource limits of a live container and remembers them, so that a
// later `state`/`update` starts from what is in force.
import { FailedPrecondition } from '../../errors.js';
import type { Resources } from '../spec/types.js';
import { containerStatus, openContainerCgroup, type RuntimeContext } from './context.js';

export async function updateContainer(ctx: RuntimeContext, id: string, resources: Resources): Promise<void> {
  const record = await ctx.store.read(id);
  const status = await containerStatus(ctx, record);
  if (status === 'stopped') throw new FailedPrecondition(`container "${id}" is stopped: there are no limits to update`);
  await (await openContainerCgroup(ctx, record)).update(resources);
  const linux = (record.spec.linux ??= {});
  linux.resources = mergeResources(linux.resources ?? {}, resources);
  await ctx.store.write(record);
}

/** Each section of `change` replaces the matching fields of `current`, field by field. */
export function mergeResources(current: Resources, change: Resources): Resources {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(change)) {
    const before = merged[key];
    merged[key] = isPlainObject(before) && isPlainObject(value) ? { ...before, ...value } : value;
  }
  return merged as Resources;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
