// A private place for one integration test: its own runtime root, bundles and container ids
// under a temporary directory, and a cleanup that removes every container it made (processes
// and cgroups included) even when the test failed half way.
import { cpSync, existsSync, mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Runtime } from '../../src/runtime/runtime.js';
import { defaultSpec } from '../../src/runtime/spec/default.js';
import type { Spec } from '../../src/runtime/spec/types.js';
import { busyboxRootfs, requireFixtures } from './fixtures.js';

export interface BundleOptions {
  /** Copy the rootfs so the container may write to it (default: the shared fixture, read-only). */
  writableRootfs?: boolean;
  /** Changes to the default spec (berth-runtime spec's, with terminal off). */
  edit?: (spec: Spec) => void;
}

export class Sandbox {
  readonly dir: string;
  readonly root: string;
  readonly runtime: Runtime;
  /** Unique per sandbox, so that cgroups of concurrent or leftover runs never collide. */
  readonly prefix = `bt-${randomBytes(3).toString('hex')}`;
  /** berth's cgroup parents that existed before this sandbox: not its leftovers. */
  readonly cgroupParentsBefore = new Set(berthCgroupParents());
  private bundles = 0;

  constructor() {
    requireFixtures();
    this.dir = mkdtempSync(join(tmpdir(), 'berth-test-'));
    this.root = join(this.dir, 'state');
    this.runtime = new Runtime({ root: this.root });
  }

  id(name: string): string {
    return `${this.prefix}-${name}`;
  }

  /** A bundle directory running `args` in busybox; returns its path. */
  bundle(args: string[], options: BundleOptions = {}): string {
    const bundle = join(this.dir, `bundle-${++this.bundles}`);
    mkdirSync(bundle);
    const spec = defaultSpec();
    spec.process!.terminal = false;
    spec.process!.args = args;
    spec.hostname = 'berth-test';
    if (options.writableRootfs) {
      cpSync(busyboxRootfs, join(bundle, 'rootfs'), { recursive: true, verbatimSymlinks: true });
      spec.root = { path: 'rootfs', readonly: false };
    } else {
      spec.root = { path: busyboxRootfs, readonly: true };
    }
    options.edit?.(spec);
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec, null, 2));
    return bundle;
  }

  /** Force-deletes every container left in this sandbox's root, then removes the directory. */
  async cleanup(): Promise<void> {
    for (const state of await this.runtime.list().catch(() => [])) {
      await this.runtime.delete(state.id, { force: true }).catch((err) => console.error(`cleanup ${state.id}: ${err}`));
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * What a container of this sandbox could have left on the host: cgroup directories named after
 * its ids in any hierarchy, and state directories.
 */
export function leftovers(sandbox: Sandbox): string[] {
  const found: string[] = [];
  for (const hierarchy of safeReaddir('/sys/fs/cgroup')) {
    const base = join('/sys/fs/cgroup', hierarchy, 'berth');
    for (const name of safeReaddir(base)) if (name.startsWith(sandbox.prefix)) found.push(join(base, name));
  }
  for (const name of safeReaddir(sandbox.root)) found.push(join(sandbox.root, name));
  found.push(...berthCgroupParents().filter((dir) => !sandbox.cgroupParentsBefore.has(dir)));
  return found;
}

/** The /berth parent of container cgroups in every hierarchy where it exists. */
export function berthCgroupParents(): string[] {
  return safeReaddir('/sys/fs/cgroup').map((h) => join('/sys/fs/cgroup', h, 'berth')).filter((dir) => existsSync(dir));
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
