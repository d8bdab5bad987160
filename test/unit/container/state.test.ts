import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateStore, checkContainerId, type ContainerRecord } from '../../../src/runtime/container/state.js';

const recordFor = (id: string): ContainerRecord => ({
  id,
  bundle: '/bundles/x',
  rootfs: '/bundles/x/rootfs',
  pid: 1234,
  initStartTime: '98765',
  created: '2024-01-01T00:00:00.000Z',
  cgroupsPath: '/berth/x',
  cgroupDirectories: ['/sys/fs/cgroup/berth/x'],
  spec: { ociVersion: '1.2.0', root: { path: 'rootfs' } },
});

describe('StateStore', () => {
  let dir: string;
  let store: StateStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-state-'));
    store = new StateStore(join(dir, 'root'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('claims an id by creating its directory, making the root first', async () => {
    await store.claim('c1');
    assert.ok(statSync(store.directory('c1')).isDirectory());
    assert.equal(store.directory('c1'), join(dir, 'root', 'c1'));
    assert.equal(store.execFifo('c1'), join(dir, 'root', 'c1', 'exec.fifo'));
  });

  it('refuses a second claim of the same id with Conflict', async () => {
    await store.claim('c1');
    await assert.rejects(store.claim('c1'), { name: 'Conflict', message: 'container "c1" already exists' });
  });

  it('writes and reads back a record', async () => {
    await store.claim('c1');
    await store.write(recordFor('c1'));
    assert.deepEqual(await store.read('c1'), recordFor('c1'));
  });

  it('reports a missing container as NotFound', async () => {
    await assert.rejects(store.read('nope'), { name: 'NotFound', message: 'container "nope" does not exist' });
    // A claimed id whose create has not written state yet is missing too.
    await store.claim('half');
    await assert.rejects(store.read('half'), { name: 'NotFound' });
  });

  it('rejects bad ids before touching the disk', async () => {
    for (const id of ['..', '.', 'a/b', '../escape', 'with space', 'semi;colon', 'x'.repeat(1025)]) {
      await assert.rejects(store.claim(id), { name: 'InvalidArgument', message: `invalid container id "${id}": use letters, digits, "_", "+", "-" and "."` }, id);
      await assert.rejects(store.read(id), { name: 'InvalidArgument' }, id);
    }
    await assert.rejects(store.claim(''), { name: 'InvalidArgument', message: 'container id cannot be empty' });
    assert.equal(existsSync(join(dir, 'escape')), false);
  });

  it('accepts ids of letters, digits and _ + - .', () => {
    for (const id of ['abc', 'A-1_b+c.d', '...', 'x'.repeat(1024)]) assert.doesNotThrow(() => checkContainerId(id), id);
  });

  it('lists ids with a state file, sorted, skipping unfinished creates and stray files', async () => {
    assert.deepEqual(await store.ids(), []); // no root yet
    for (const id of ['b', 'a', 'c']) {
      await store.claim(id);
      if (id !== 'c') await store.write(recordFor(id));
    }
    writeFileSync(join(store.root, 'stray-file'), '');
    mkdirSync(join(store.root, 'empty-dir'));
    assert.deepEqual(await store.ids(), ['a', 'b']);
  });

  it('removes a container\'s directory, and tolerates one already gone', async () => {
    await store.claim('c1');
    await store.write(recordFor('c1'));
    await store.remove('c1');
    assert.equal(existsSync(store.directory('c1')), false);
    await store.remove('c1');
    await assert.rejects(store.read('c1'), { name: 'NotFound' });
    await store.claim('c1'); // the id is free again
  });
});
