// Which image layers a sweep may remove: references computed from the images and containers
// that exist, children before parents, nothing at all when a config is unreadable; and the
// graph driver inventory those rules are applied to.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { neededLayers, unneededLayers } from '../../../src/daemon/engine/images/layer-references.js';
import { withRemovedLayers } from '../../../src/daemon/engine/images/remove.js';
import { storedLayers } from '../../../src/images/graphdriver/stored-layers.js';

const chain = (c: string) => `sha256:${c.repeat(64)}`;
const [A, B, C, D] = ['a', 'b', 'c', 'd'].map(chain) as [string, string, string, string];

describe('layer references', () => {
  const chains: Record<string, string[]> = { busybox: [A, B], child: [A, B, C], other: [D] };
  const chainsOf = async (id: string) => chains[id];

  it('needs every chain of every image and of every container\'s image, counted once', async () => {
    const needed = await neededLayers(['busybox', 'child', 'busybox'], chainsOf);
    assert.deepEqual(needed, { known: true, chains: new Set([A, B, C]) });
  });

  it('knows nothing when a config cannot be read', async () => {
    assert.deepEqual(await neededLayers(['busybox', 'gone'], chainsOf), { known: false, imageId: 'gone' });
  });

  it('removes what nothing needs or pins, deepest first', () => {
    const stored = [{ chainId: A, depth: 0 }, { chainId: B, depth: 1 }, { chainId: C, depth: 2 }, { chainId: D, depth: 0 }];
    assert.deepEqual(unneededLayers(stored, new Set()), [C, B, A, D]);
    assert.deepEqual(unneededLayers(stored, new Set([A, B])), [C, D]);
    assert.deepEqual(unneededLayers(stored, new Set([A, B]), new Set([D])), [C]);
    assert.deepEqual(unneededLayers(stored, new Set([A, B, C, D])), []);
  });

  it('lists each deleted image\'s layers after its "Deleted" line, as Docker does', () => {
    const items = [{ Untagged: 'busybox:latest' }, { Deleted: 'sha256:img' }, { Deleted: 'sha256:img2' }];
    assert.deepEqual(withRemovedLayers(items, new Map([['sha256:img', [B, A]]])), [
      { Untagged: 'busybox:latest' }, { Deleted: 'sha256:img' }, { Deleted: B }, { Deleted: A }, { Deleted: 'sha256:img2' },
    ]);
  });
});

describe('stored layers', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-stored-layers-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('lists overlay\'s image layers with their depth, and nothing else', async () => {
    const home = join(root, 'overlay');
    for (const dir of [`${'a'.repeat(64)}/diff`, `${'b'.repeat(64)}/diff`, 'l', `${'c'.repeat(12)}-rw/diff`, 'tmp-0123456789abcdef']) {
      mkdirSync(join(home, dir), { recursive: true });
    }
    writeFileSync(join(home, 'b'.repeat(64), 'lower'), 'l/ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    writeFileSync(join(home, `${'c'.repeat(12)}-rw`, 'lower'), 'l/X:l/Y');
    const layers = (await storedLayers({ name: 'overlay', home })).sort((x, y) => (x.chainId < y.chainId ? -1 : 1));
    assert.deepEqual(layers, [{ chainId: A, depth: 0 }, { chainId: B, depth: 1 }]);
  });

  it('lists vfs\'s image layers, none depending on another', async () => {
    const home = join(root, 'vfs');
    for (const dir of [`dir/${'d'.repeat(64)}`, `dir/${'c'.repeat(12)}-rw`]) mkdirSync(join(home, dir), { recursive: true });
    assert.deepEqual(await storedLayers({ name: 'vfs', home }), [{ chainId: D, depth: 0 }]);
    assert.deepEqual(await storedLayers({ name: 'vfs', home: join(root, 'missing') }), []);
  });
});
