// v1 pids controller (v2 uses the same files).
import type { PidsResources } from '../../spec/types.js';
import type { ControlDir } from '../files.js';
import type { PidsStats } from '../stats.js';

/** pids.max: a positive limit as is; -1 and 0 mean no limit. */
export function pidsMax(p: PidsResources): string {
  return p.limit > 0 ? String(p.limit) : 'max';
}

export async function setPids(dir: ControlDir, p: PidsResources): Promise<void> {
  await dir.write('pids.max', pidsMax(p), 'linux.resources.pids.limit');
}

export async function pidsStats(dir: ControlDir): Promise<PidsStats> {
  return { current: await dir.readNumber('pids.current'), limit: await dir.readNumber('pids.max') };
}
