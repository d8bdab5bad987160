// Opening the graph driver berth stores images with: overlay unless BERTH_STORAGE_DRIVER (or
// the caller) names another, as Docker's --storage-driver does.
import { mkdir, realpath } from 'node:fs/promises';
import { InvalidArgument } from '../../errors.js';
import { graphDriverNames, type GraphDriver } from './driver.js';
import { OverlayDriver } from './overlay.js';
import { VfsDriver } from './vfs.js';

export * from './driver.js';
export { unpackImage } from './unpack-image.js';

/**
 * Opens (creating if needed) the driver's storage under `<root>/<name>`, removes what an
 * interrupted run left, and for overlay checks that the kernel and filesystem can do it.
 */
export async function openGraphDriver(root: string, name: string = process.env.BERTH_STORAGE_DRIVER ?? 'overlay'): Promise<GraphDriver> {
  if (name !== 'overlay' && name !== 'vfs') {
    throw new InvalidArgument(`unknown storage driver "${name}": berth has ${graphDriverNames.join(', ')}`);
  }
  await mkdir(root, { recursive: true, mode: 0o700 });
  // Mount points are compared as paths: no symlinks in them. Overlay options split on ":" and ",".
  const real = await realpath(root);
  if (name === 'vfs') return VfsDriver.open(real);
  if (/[:,\\]/.test(real)) throw new InvalidArgument(`overlay storage driver: the root ${real} must not contain ":", "," or "\\"`);
  return OverlayDriver.open(real);
}
