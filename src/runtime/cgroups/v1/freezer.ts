// v1 freezer controller: freezer.state moves through FREEZING to FROZEN, and back to THAWED.
import { BerthError } from '../../../errors.js';
import type { ControlDir } from '../files.js';
import { pollUntil } from '../files.js';

/** How long one attempt waits for FREEZING to settle before starting over. */
const ATTEMPT_MS = 500;
const ATTEMPTS = 10;

async function state(dir: ControlDir): Promise<string> {
  return ((await dir.read('freezer.state')) ?? '').trim();
}

export async function freeze(dir: ControlDir): Promise<void> {
  // A task in the middle of a fork or a vfork can keep the cgroup FREEZING; thawing and freezing
  // again usually gets past it, which is what runc does.
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    await dir.write('freezer.state', 'FROZEN', 'freezer.state');
    if (await pollUntil(async () => (await state(dir)) === 'FROZEN', ATTEMPT_MS)) return;
    await dir.write('freezer.state', 'THAWED', 'freezer.state');
  }
  throw new BerthError('Unavailable', `${dir.path}: the cgroup did not freeze within ${(ATTEMPT_MS * ATTEMPTS) / 1000} s`);
}

export async function thaw(dir: ControlDir): Promise<void> {
  await dir.write('freezer.state', 'THAWED', 'freezer.state');
  if (!(await pollUntil(async () => (await state(dir)) === 'THAWED', ATTEMPT_MS * ATTEMPTS))) {
    throw new BerthError('Unavailable', `${dir.path}: the cgroup did not thaw`);
  }
}

/** self_freezing tells this cgroup's own state apart from a frozen ancestor's. */
export async function isFrozen(dir: ControlDir): Promise<boolean> {
  const self = await dir.read('freezer.self_freezing');
  if (self !== undefined) return self.trim() === '1';
  return (await state(dir)) === 'FROZEN';
}
