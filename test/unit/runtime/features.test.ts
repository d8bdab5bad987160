import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ociVersionMax, ociVersionMin, recognizedMountOptions, runtimeFeatures } from '../../../src/runtime/features.js';
import { allCapabilities } from '../../../src/runtime/capabilities.js';
import { parseMountOptions } from '../../../src/runtime/plan/mount-options.js';

describe('runtimeFeatures', () => {
  const inputs = {
    seccompActions: ['SCMP_ACT_KILL', 'SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO'],
    seccompOperators: ['SCMP_CMP_NE', 'SCMP_CMP_EQ'],
    seccompArchs: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64'],
  };

  it('reports versions, hooks in lifecycle order and every capability', () => {
    const features = runtimeFeatures(inputs);
    assert.equal(features.ociVersionMin, '1.0.0');
    assert.equal(features.ociVersionMax, '1.2.0');
    assert.equal(ociVersionMin, features.ociVersionMin);
    assert.equal(ociVersionMax, features.ociVersionMax);
    assert.deepEqual(features.hooks, ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']);
    assert.deepEqual(features.linux.capabilities, allCapabilities);
    assert.notEqual(features.linux.capabilities, allCapabilities); // a copy
  });

  it('sorts namespaces and the seccomp lists without changing the inputs', () => {
    const actions = [...inputs.seccompActions];
    const features = runtimeFeatures({ ...inputs, seccompActions: actions });
    assert.deepEqual(features.linux.namespaces, ['cgroup', 'ipc', 'mount', 'network', 'pid', 'time', 'user', 'uts']);
    assert.deepEqual(features.linux.seccomp, {
      enabled: true,
      actions: ['SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'SCMP_ACT_KILL'],
      operators: ['SCMP_CMP_EQ', 'SCMP_CMP_NE'],
      archs: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_X86_64'],
    });
    assert.deepEqual(actions, inputs.seccompActions);
  });

  it('reports seccomp disabled without any action', () => {
    assert.equal(runtimeFeatures({ ...inputs, seccompActions: [] }).linux.seccomp.enabled, false);
  });

  it('reports cgroupfs drivers only, and no LSMs', () => {
    const { linux } = runtimeFeatures(inputs);
    assert.deepEqual(linux.cgroup, { v1: true, v2: true, systemd: false, systemdUser: false });
    assert.deepEqual(linux.apparmor, { enabled: false });
    assert.deepEqual(linux.selinux, { enabled: false });
  });

  it('annotates the runtime version only when given', () => {
    assert.deepEqual(runtimeFeatures(inputs).annotations, {});
    assert.deepEqual(runtimeFeatures({ ...inputs, runtimeVersion: '0.1.0' }).annotations, { 'io.berth.runtime.version': '0.1.0' });
  });

  it('lists mount options sorted and without duplicates', () => {
    const options = runtimeFeatures(inputs).mountOptions;
    assert.deepEqual(options, [...recognizedMountOptions].sort());
    assert.equal(new Set(options).size, options.length);
  });

  it('lists every flag and propagation option the mount parser acts on', () => {
    for (const option of ['ro', 'rw', 'nosuid', 'nodev', 'noexec', 'bind', 'rbind', 'rprivate', 'rslave', 'strictatime', 'nosymfollow']) {
      const parsed = parseMountOptions([option]);
      assert.ok(parsed.data === '' && recognizedMountOptions.includes(option), option);
    }
  });
});
