import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSpec } from '../../../src/runtime/spec/default.js';
import { validateSpec } from '../../../src/runtime/spec/validate.js';
import { ociVersionMax } from '../../../src/runtime/features.js';

const namespaceTypes = (spec: ReturnType<typeof defaultSpec>) => (spec.linux?.namespaces ?? []).map((n) => n.type);

describe('defaultSpec', () => {
  it('passes validateSpec, as written by `berth-runtime spec`', () => {
    const spec = defaultSpec();
    // Through JSON, as the file on disk would be read back.
    assert.doesNotThrow(() => validateSpec(JSON.parse(JSON.stringify(spec))));
    assert.equal(spec.ociVersion, ociVersionMax);
    assert.deepEqual(spec.root, { path: 'rootfs', readonly: true });
    assert.deepEqual(namespaceTypes(spec), ['pid', 'network', 'ipc', 'uts', 'mount']);
  });

  it('grants no ambient capabilities', () => {
    const caps = defaultSpec().process?.capabilities;
    assert.equal(caps?.ambient, undefined);
    assert.deepEqual(caps?.bounding, ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE']);
  });

  it('masks the host TPM event log', () => {
    assert.ok(defaultSpec().linux?.maskedPaths?.includes('/sys/devices/virtual/tpm'));
  });

  it('returns a fresh object each time', () => {
    const a = defaultSpec();
    a.process!.capabilities!.bounding!.push('CAP_SYS_ADMIN');
    a.mounts!.pop();
    const b = defaultSpec();
    assert.deepEqual(b.process?.capabilities?.bounding, ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE']);
    assert.equal(b.mounts?.length, 7);
  });

  it('adds a cgroup namespace when asked', () => {
    const spec = defaultSpec({ cgroupNamespace: true });
    assert.deepEqual(namespaceTypes(spec), ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup']);
    assert.doesNotThrow(() => validateSpec(spec));
  });

  it('rootless: a user namespace mapping only the caller, no network namespace, no resources', () => {
    const spec = defaultSpec({ rootless: true });
    assert.doesNotThrow(() => validateSpec(JSON.parse(JSON.stringify(spec))));
    assert.deepEqual(namespaceTypes(spec), ['pid', 'ipc', 'uts', 'mount', 'user']);
    assert.deepEqual(spec.linux?.uidMappings, [{ containerID: 0, hostID: process.geteuid!(), size: 1 }]);
    assert.deepEqual(spec.linux?.gidMappings, [{ containerID: 0, hostID: process.getegid!(), size: 1 }]);
    assert.equal(spec.linux?.resources, undefined);
  });

  it('rootless: binds the host /sys read-only and drops gid= from mount options', () => {
    const mounts = defaultSpec({ rootless: true }).mounts!;
    assert.deepEqual(mounts.find((m) => m.destination === '/sys'),
      { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] });
    assert.deepEqual(mounts.find((m) => m.destination === '/dev/pts')?.options,
      ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620']);
    assert.ok(mounts.every((m) => !(m.options ?? []).some((o) => o.startsWith('gid=') || o.startsWith('uid='))));
    // The rootful default keeps gid=5.
    assert.ok(defaultSpec().mounts!.find((m) => m.destination === '/dev/pts')?.options?.includes('gid=5'));
  });

  it('rootless with a cgroup namespace keeps it and still validates', () => {
    const spec = defaultSpec({ rootless: true, cgroupNamespace: true });
    assert.deepEqual(namespaceTypes(spec), ['pid', 'ipc', 'uts', 'mount', 'cgroup', 'user']);
    assert.doesNotThrow(() => validateSpec(spec));
  });
});
