// Paths of what the set-up command builds for the tests.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

export const busyboxRootfs = join(packageRoot, 'test', 'fixtures', 'build', 'busybox-rootfs');
export const recvtty = join(packageRoot, 'native', 'build', 'berth-recvtty');
export const runtimeCommand = join(packageRoot, 'bin', 'berth-runtime');

export function requireFixtures(): void {
  if (!existsSync(join(busyboxRootfs, 'bin', 'busybox'))) {
    throw new Error(`${busyboxRootfs} is missing: run the set-up command (bash scripts/setup.sh)`);
  }
}
