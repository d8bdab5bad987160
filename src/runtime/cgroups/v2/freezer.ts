// v2 freezer: cgroup.freeze asks, cgroup.events' "frozen" line reports when it is done.
import { BerthError, Unsupported } from '../../../errors.js';
import type { ControlDir } from '../files.js';
import { pollUntil } from '../files.js';

const SETTLE_MS = 5000;

async function frozenEvent(dir: ControlDir): Promise<boolean> {
  return (await dir.readKeyValues('cgroup.events'))['frozen'] === 1;
}

async function request(dir: ControlDir, value: '0' | '1', operation: string): Promise<void> {
  if (!(await dir.exists('cgroup.freeze'))) {
    throw new Unsupported(`${operation}: the kernel has no cgroup v2 freezer (cgroup.freeze needs Linux 5.2)`);
  }
  await dir.write('cgroup.freeze', value, 'cgroup.freeze');
  const wanted = value === '1';
  if (!(await pollUntil(async () => (await frozenEvent(dir)) === wanted, SETTLE_MS))) {
    throw new BerthError('Unavailable', `${dir.path}: the cgroup did not ${wanted ? 'freeze' : 'thaw'} within ${SETTLE_MS / 1000} s`);
  }
}

export const freeze = (dir: ControlDir) => request(dir, '1', 'pause');
export const thaw = (dir: ControlDir) => request(dir, '0', 'resume');

/** cgroup.freeze is this cgroup's own request; cgroup.events would also say so for an ancestor's. */
export async function isFrozen(dir: ControlDir): Promise<boolean> {
  return ((await dir.read('cgroup.freeze')) ?? '').trim() === '1';
}
