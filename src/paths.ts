// Where berth's own files are, found from this module's location so that the bin shims work
// from a checkout and from an installed package alike (dist/src/paths.js → package root).
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

/** berth-init, built by `make -C native`; BERTH_INIT overrides it (tests of other builds). */
export function defaultInitBinary(): string {
  return process.env.BERTH_INIT ?? join(packageRoot, 'native', 'build', 'berth-init');
}
