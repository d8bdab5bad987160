import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sysctlNamespace, sysctlWrites } from '../../../src/runtime/plan/sysctl.js';
import type { NamespaceType } from '../../../src/runtime/spec/types.js';

const all = new Set<NamespaceType>(['ipc', 'network', 'uts']);

describe('sysctl', () => {
  it('knows which namespace a key belongs to', () => {
    assert.equal(sysctlNamespace('kernel.shmmax'), 'ipc');
    assert.equal(sysctlNamespace('fs.mqueue.queues_max'), 'ipc');
    assert.equal(sysctlNamespace('net.ipv4.ip_forward'), 'network');
    assert.equal(sysctlNamespace('kernel.domainname'), 'uts');
    assert.equal(sysctlNamespace('kernel.pid_max'), undefined);
    assert.equal(sysctlNamespace('vm.overcommit_memory'), undefined);
    assert.equal(sysctlNamespace('network.x'), undefined);
  });

  it('writes each key as a path under /proc/sys, in order', () => {
    assert.deepEqual(sysctlWrites({ 'net.ipv4.ip_forward': '1', 'kernel.sem': '250 32000 32 128' }, all), [
      ['/proc/sys/net/ipv4/ip_forward', '1'],
      ['/proc/sys/kernel/sem', '250 32000 32 128'],
    ]);
    assert.deepEqual(sysctlWrites(undefined, all), []);
  });

  it('accepts keys written with slashes, as validateSpec does', () => {
    assert.deepEqual(sysctlWrites({ 'net/ipv4/ip_forward': '1' }, all), [['/proc/sys/net/ipv4/ip_forward', '1']]);
  });

  it('refuses keys that are not namespaced', () => {
    assert.throws(() => sysctlWrites({ 'kernel.pid_max': '1' }, all), {
      name: 'InvalidArgument', message: 'linux.sysctl: "kernel.pid_max" is not namespaced and would change the host',
    });
  });

  it('refuses a key whose namespace the container does not create', () => {
    assert.throws(() => sysctlWrites({ 'net.core.somaxconn': '1024' }, new Set(['ipc'])), {
      name: 'InvalidArgument', message: 'linux.sysctl: "net.core.somaxconn" needs the container\'s own network namespace',
    });
  });

  it('refuses names that would leave /proc/sys', () => {
    assert.throws(() => sysctlWrites({ 'net..x': '1' }, all), { name: 'InvalidArgument', message: 'linux.sysctl: "net..x" is not a sysctl name' });
    assert.throws(() => sysctlWrites({ '/net/x': '1' }, all), { name: 'InvalidArgument', message: 'linux.sysctl: "/net/x" is not a sysctl name' });
    assert.throws(() => sysctlWrites({ 'net/../../etc': '1' }, all), { name: 'InvalidArgument' });
  });
});
