import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileSeccompFilter, knownSeccompActions, knownSeccompArchitectures, knownSeccompOperators, seccompFilterFlags,
} from '../../../src/runtime/seccomp/index.js';
import type { Seccomp } from '../../../src/runtime/spec/types.js';

/** Builds a profile from untyped JSON, the way a broken config.json would arrive. */
const profile = (json: unknown): Seccomp => json as Seccomp;

function rejects(json: unknown, kind: string, message: string): void {
  assert.throws(() => compileSeccompFilter(profile(json), 'x64'), (err: Error) => {
    assert.equal(err.name, kind);
    assert.equal(err.message, message);
    return true;
  });
}

test('bad actions name their field', () => {
  rejects({ defaultAction: 'SCMP_ACT_NOPE' }, 'InvalidArgument', 'linux.seccomp.defaultAction: unknown action "SCMP_ACT_NOPE"');
  rejects(
    { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: ['read'], action: 'ALLOW' }] },
    'InvalidArgument', 'linux.seccomp.syscalls[1].action: unknown action "ALLOW"',
  );
});

test('bad argument conditions name their field', () => {
  const withArg = (arg: unknown): unknown => ({
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [{ names: ['a'], action: 'SCMP_ACT_ERRNO' }, { names: ['b'], action: 'SCMP_ACT_ERRNO' }, { names: ['c'], action: 'SCMP_ACT_ERRNO' },
      { names: ['read'], action: 'SCMP_ACT_ERRNO', args: [arg] }],
  });
  rejects(withArg({ index: 0, value: 1, op: 'SCMP_CMP_FOO' }), 'InvalidArgument', 'linux.seccomp.syscalls[3].args[0].op: unknown operator "SCMP_CMP_FOO"');
  rejects(withArg({ index: 6, value: 1, op: 'SCMP_CMP_EQ' }), 'InvalidArgument', 'linux.seccomp.syscalls[3].args[0].index: must be an integer from 0 to 5');
  rejects(withArg({ index: 0, value: -1, op: 'SCMP_CMP_EQ' }), 'InvalidArgument', 'linux.seccomp.syscalls[3].args[0].value: must be an integer from 0 to 2^64-1');
  // 18446744073709551615 parses to 2^64.
  rejects(withArg(JSON.parse('{"index":0,"value":18446744073709551615,"op":"SCMP_CMP_EQ"}')), 'InvalidArgument',
    'linux.seccomp.syscalls[3].args[0].value: must be an integer from 0 to 2^64-1');
  rejects(withArg({ index: 0, value: 1, valueTwo: 1.5, op: 'SCMP_CMP_MASKED_EQ' }), 'InvalidArgument',
    'linux.seccomp.syscalls[3].args[0].valueTwo: must be an integer from 0 to 2^64-1');
});

test('bad architectures, flags and names name their field', () => {
  rejects({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'x86_64'] }, 'InvalidArgument',
    'linux.seccomp.architectures[1]: unknown architecture "x86_64"');
  rejects({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_BOGUS'] }, 'InvalidArgument',
    'linux.seccomp.flags[1]: unknown flag "SECCOMP_FILTER_FLAG_BOGUS"');
  rejects({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read', 'open at'], action: 'SCMP_ACT_ERRNO' }] }, 'InvalidArgument',
    'linux.seccomp.syscalls[0].names[1]: "open at" is not a system call name');
  rejects({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: [], action: 'SCMP_ACT_ERRNO' }] }, 'InvalidArgument',
    'linux.seccomp.syscalls[0].names: must name at least one system call');
});

test('errnoRet only on ERRNO and TRACE, and within 16 bits', () => {
  rejects({ defaultAction: 'SCMP_ACT_ALLOW', defaultErrnoRet: 1 }, 'InvalidArgument',
    'linux.seccomp.defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not SCMP_ACT_ALLOW');
  rejects({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_KILL', errnoRet: 1 }] }, 'InvalidArgument',
    'linux.seccomp.syscalls[0].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not SCMP_ACT_KILL');
  rejects({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', errnoRet: 65536 }] }, 'InvalidArgument',
    'linux.seccomp.syscalls[0].errnoRet: must be an integer from 0 to 65535');
});

test('what berth cannot do is Unsupported', () => {
  rejects({ defaultAction: 'SCMP_ACT_NOTIFY' }, 'Unsupported',
    'linux.seccomp.defaultAction: SCMP_ACT_NOTIFY needs a seccomp user-notification listener handed to an agent, which berth does not support');
  rejects({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_NOTIFY' }] }, 'Unsupported',
    'linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY needs a seccomp user-notification listener handed to an agent, which berth does not support');
  rejects({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] }, 'Unsupported',
    'linux.seccomp.flags[0]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV only applies to seccomp user notification, which berth does not support');
  rejects({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/agent.sock' }, 'Unsupported',
    'linux.seccomp.listenerPath: seccomp user notification (SCMP_ACT_NOTIFY) is not supported by berth');
  assert.throws(() => compileSeccompFilter({ defaultAction: 'SCMP_ACT_ALLOW' }, 'riscv64'), {
    name: 'Unsupported', message: 'seccomp: berth has no system call tables for host architecture "riscv64"',
  });
});

test('seccompFilterFlags ORs the known flags', () => {
  assert.equal(seccompFilterFlags({ defaultAction: 'SCMP_ACT_ALLOW' }), 0);
  assert.equal(seccompFilterFlags({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_TSYNC'] }), 1);
  assert.equal(seccompFilterFlags({
    defaultAction: 'SCMP_ACT_ALLOW',
    flags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'],
  }), 7);
  assert.throws(() => seccompFilterFlags({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['TSYNC'] }), {
    name: 'InvalidArgument', message: 'linux.seccomp.flags[0]: unknown flag "TSYNC"',
  });
});

test('the known lists are what the compiler accepts', () => {
  assert.ok(!knownSeccompActions.includes('SCMP_ACT_NOTIFY'));
  for (const action of knownSeccompActions) {
    compileSeccompFilter(profile({ defaultAction: action }), 'x64');
  }
  assert.equal(knownSeccompOperators.length, 7);
  for (const op of knownSeccompOperators) {
    compileSeccompFilter(profile({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_LOG', args: [{ index: 0, value: 1, op }] }] }), 'x64');
  }
  assert.ok(knownSeccompArchitectures.includes('SCMP_ARCH_X32'));
  compileSeccompFilter({ defaultAction: 'SCMP_ACT_ALLOW', architectures: [...knownSeccompArchitectures] }, 'x64');
});

test('a filter longer than the kernel takes is refused', () => {
  const syscalls = Array.from({ length: 600 }, (_, i) => ({
    names: ['ioctl'],
    action: 'SCMP_ACT_ALLOW' as const,
    args: [{ index: 1, value: 0x1_0000_0000 + i, op: 'SCMP_CMP_EQ' as const }, { index: 2, value: i, op: 'SCMP_CMP_GT' as const }],
  }));
  assert.throws(() => compileSeccompFilter({ defaultAction: 'SCMP_ACT_ERRNO', syscalls }, 'x64'), {
    name: 'InvalidArgument',
    message: /^linux\.seccomp: the filter takes \d+ BPF instructions, more than the kernel's limit of 4096$/,
  });
});
