import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeResources } from '../../../src/runtime/container/update.js';
import type { Resources } from '../../../src/runtime/spec/types.js';

describe('mergeResources', () => {
  it('changes only the given fields of a section', () => {
    const current: Resources = { memory: { limit: 100, reservation: 50 }, cpu: { shares: 512, cpus: '0-1' } };
    assert.deepEqual(mergeResources(current, { memory: { limit: 200 } }), {
      memory: { limit: 200, reservation: 50 }, cpu: { shares: 512, cpus: '0-1' },
    });
  });

  it('adds sections that were not set', () => {
    assert.deepEqual(mergeResources({ memory: { limit: 1 } }, { pids: { limit: 10 } }), { memory: { limit: 1 }, pids: { limit: 10 } });
    assert.deepEqual(mergeResources({}, { cpu: { quota: 5000 } }), { cpu: { quota: 5000 } });
  });

  it('replaces arrays and scalars whole', () => {
    const current: Resources = { devices: [{ allow: false, access: 'rwm' }], hugepageLimits: [{ pageSize: '2MB', limit: 1 }] };
    const merged = mergeResources(current, { devices: [{ allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }] });
    assert.deepEqual(merged.devices, [{ allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }]);
    assert.deepEqual(merged.hugepageLimits, [{ pageSize: '2MB', limit: 1 }]);
  });

  it('leaves both inputs unchanged', () => {
    const current: Resources = { memory: { limit: 100 } };
    const change: Resources = { memory: { swap: 300 } };
    const merged = mergeResources(current, change);
    assert.deepEqual(merged, { memory: { limit: 100, swap: 300 } });
    assert.deepEqual(current, { memory: { limit: 100 } });
    assert.deepEqual(change, { memory: { swap: 300 } });
  });

  it('returns a copy for an empty change', () => {
    const current: Resources = { pids: { limit: 5 } };
    const merged = mergeResources(current, {});
    assert.deepEqual(merged, current);
    assert.notEqual(merged, current);
  });
});
