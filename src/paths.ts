// Where berth's own files are, found from this module's location so that the bin shims work
// from a checkout and from an installed package alike (dist/src/paths.js → package root).
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

/** berth-init, built by `make -C native`; BERTH_INIT overrides it (tests of other builds). */
export function defaultInitBinary(): string {
  return process.env.BERTH_INIT ?? join(packageRoot, 'native', 'build', 'berth-init');
}

/** The per-container monitor, built by `make -C native`. */
export function defaultMonitorBinary(): string {
  return process.env.BERTH_MONITOR ?? join(packageRoot, 'native', 'build', 'berth-monitor');
}

/** berthd's helper for mount, umount and new network namespaces, built by `make -C native`. */
export function defaultMounterBinary(): string {
  return join(packageRoot, 'native', 'build', 'berth-mounter');
}

/** The PID 1 reaper of `--init` containers, built by `make -C native`. */
export function defaultReaperBinary(): string {
  return join(packageRoot, 'native', 'build', 'berth-reaper');
}
