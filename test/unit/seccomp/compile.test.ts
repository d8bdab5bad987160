import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSeccompFilter } from '../../../src/runtime/seccomp/index.js';
import type { Seccomp, SeccompAction, SeccompOperator } from '../../../src/runtime/spec/types.js';
import { verify } from './bpf-interpreter.js';
import {
  ALLOW, AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM, AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, decide, errno,
  KILL_PROCESS, KILL_THREAD, LOG, TRAP, trace, X32_SYSCALL_BIT,
} from './helpers.js';

// x86_64 numbers.
const GETPID = 39;
const MKDIR = 83;
const PERSONALITY = 135;
const I386_GETPID = 20;
const X32_GETPID = 39;
const X32_RT_SIGACTION = 512;

test('with no rules, every call gets the default action', () => {
  const cases: [SeccompAction, number][] = [
    ['SCMP_ACT_ALLOW', ALLOW],
    ['SCMP_ACT_KILL', KILL_THREAD],
    ['SCMP_ACT_KILL_THREAD', KILL_THREAD],
    ['SCMP_ACT_KILL_PROCESS', KILL_PROCESS],
    ['SCMP_ACT_TRAP', TRAP],
    ['SCMP_ACT_ERRNO', errno(1)],
    ['SCMP_ACT_TRACE', trace(1)],
    ['SCMP_ACT_LOG', LOG],
  ];
  for (const [defaultAction, expected] of cases) {
    for (const nr of [0, GETPID, 450, 0xffffffff]) {
      assert.equal(decide({ defaultAction }, { nr }), expected, `${defaultAction} for ${nr}`);
    }
  }
});

test('ERRNO and TRACE return errnoRet (EPERM when absent); defaultErrnoRet applies to the default', () => {
  const profile: Seccomp = {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 38,
    syscalls: [
      { names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
      { names: ['rmdir'], action: 'SCMP_ACT_ERRNO' },
      { names: ['getpid'], action: 'SCMP_ACT_ALLOW' },
      { names: ['ptrace'], action: 'SCMP_ACT_TRACE', errnoRet: 7 },
    ],
  };
  assert.equal(decide(profile, { nr: MKDIR }), errno(13));
  assert.equal(decide(profile, { nr: 84 }), errno(1));
  assert.equal(decide(profile, { nr: GETPID }), ALLOW);
  assert.equal(decide(profile, { nr: 101 }), trace(7));
  assert.equal(decide(profile, { nr: 0 }), errno(38));
});

/** What the kernel would compute, on 64-bit arguments. */
function holds(op: SeccompOperator, value: bigint, valueTwo: bigint, arg: bigint): boolean {
  switch (op) {
    case 'SCMP_CMP_NE': return arg !== value;
    case 'SCMP_CMP_LT': return arg < value;
    case 'SCMP_CMP_LE': return arg <= value;
    case 'SCMP_CMP_EQ': return arg === value;
    case 'SCMP_CMP_GE': return arg >= value;
    case 'SCMP_CMP_GT': return arg > value;
    case 'SCMP_CMP_MASKED_EQ': return (arg & value) === valueTwo;
  }
}

const operators: SeccompOperator[] = [
  'SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ',
];
// Values and arguments whose high words and low words differ every which way.
const values = [0, 1, 0xffffffff, 0x1_0000_0000, 0x1_0000_0001, 0x2_0000_0000, 2114060288, 2 ** 53 - 1];
const args = [0n, 1n, 2n, 0xfffffffen, 0xffffffffn, 0x1_0000_0000n, 0x1_0000_0001n, 0x1_0000_0002n,
  0x2_0000_0000n, 0x2_0000_0001n, 0x1f_ffff_ffff_ffffn, 0xffff_ffff_ffff_ffffn, 0x7e00_0000n];

test('every operator compares 64-bit arguments as the kernel would', () => {
  for (const op of operators) {
    for (const value of values) {
      const valueTwo = op === 'SCMP_CMP_MASKED_EQ' ? Number(BigInt(value) & 0x1_0000_0001n) : 0;
      // The condition on arg 3, so that its offset is checked too.
      const profile: Seccomp = {
        defaultAction: 'SCMP_ACT_ERRNO',
        syscalls: [{ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 3, value, valueTwo, op }] }],
      };
      for (const arg of args) {
        const expected = holds(op, BigInt(value), BigInt(valueTwo), arg) ? ALLOW : errno(1);
        const got = decide(profile, { nr: PERSONALITY, args: [0xdeadn, 0n, 0n, arg, 0n, 0n] });
        assert.equal(got, expected, `${op} ${value.toString(16)} on 0x${arg.toString(16)}`);
      }
    }
  }
});

test('MASKED_EQ masks both words: (arg & value) == valueTwo', () => {
  const profile: Seccomp = {
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [{
      names: ['clone'], action: 'SCMP_ACT_ERRNO',
      args: [{ index: 0, value: 0x1_0000_00f0, valueTwo: 0x1_0000_0010, op: 'SCMP_CMP_MASKED_EQ' }],
    }],
  };
  assert.equal(decide(profile, { nr: 56, args: [0x1_ffff_ff1fn] }), errno(1));
  assert.equal(decide(profile, { nr: 56, args: [0x0_ffff_ff1fn] }), ALLOW);
  assert.equal(decide(profile, { nr: 56, args: [0x1_ffff_ff2fn] }), ALLOW);
  // Docker's clone rule: no namespace flags.
  const docker: Seccomp = {
    defaultAction: 'SCMP_ACT_ERRNO',
    syscalls: [{ names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] }],
  };
  assert.equal(decide(docker, { nr: 56, args: [0x01200011n] }), ALLOW);
  assert.equal(decide(docker, { nr: 56, args: [0x10000000n] }), errno(1)); // CLONE_NEWUSER
});

test('conditions of one rule are ANDed, on different arguments and on the same one', () => {
  const profile: Seccomp = {
    defaultAction: 'SCMP_ACT_ERRNO',
    syscalls: [{
      names: ['mmap'], action: 'SCMP_ACT_ALLOW',
      args: [
        { index: 2, value: 4, op: 'SCMP_CMP_NE' },
        { index: 5, value: 10, op: 'SCMP_CMP_GE' },
        { index: 5, value: 20, op: 'SCMP_CMP_LE' },
      ],
    }],
  };
  const mmap = (prot: bigint, offset: bigint): number => decide(profile, { nr: 9, args: [0n, 0n, prot, 0n, 0n, offset] });
  assert.equal(mmap(3n, 15n), ALLOW);
  assert.equal(mmap(3n, 10n), ALLOW);
  assert.equal(mmap(3n, 20n), ALLOW);
  assert.equal(mmap(4n, 15n), errno(1));
  assert.equal(mmap(3n, 9n), errno(1));
  assert.equal(mmap(3n, 21n), errno(1));
  assert.equal(mmap(3n, 0x1_0000_000fn), errno(1));
});

test('separate rules are ORed; the first that holds decides; a rule without conditions overrides', () => {
  const profile: Seccomp = {
    defaultAction: 'SCMP_ACT_ERRNO',
    syscalls: [
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] },
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
      { names: ['personality'], action: 'SCMP_ACT_LOG', args: [{ index: 0, value: 8, op: 'SCMP_CMP_GE' }] },
      { names: ['getpid'], action: 'SCMP_ACT_LOG', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
      { names: ['getpid'], action: 'SCMP_ACT_ALLOW' },
      { names: ['getpid'], action: 'SCMP_ACT_TRAP' },
    ],
  };
  const personality = (persona: bigint): number => decide(profile, { nr: PERSONALITY, args: [persona] });
  assert.equal(personality(0n), ALLOW);
  assert.equal(personality(8n), ALLOW);
  assert.equal(personality(9n), LOG);
  assert.equal(personality(4n), errno(1));
  assert.equal(decide(profile, { nr: GETPID, args: [1n] }), ALLOW);
  assert.equal(decide(profile, { nr: GETPID }), ALLOW);
});

test('rules with the default action are dropped, as runc drops them', () => {
  const profile: Seccomp = {
    defaultAction: 'SCMP_ACT_ERRNO',
    syscalls: [
      // Would shadow the next rule if it were kept.
      { names: ['personality'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 0, op: 'SCMP_CMP_GE' }] },
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
    ],
  };
  assert.equal(decide(profile, { nr: PERSONALITY, args: [8n] }), ALLOW);
  // An ERRNO with another errno is another action: kept.
  const other: Seccomp = { ...profile, syscalls: [{ names: ['personality'], action: 'SCMP_ACT_ERRNO', errnoRet: 2 }] };
  assert.equal(decide(other, { nr: PERSONALITY }), errno(2));
});

test('names no covered ABI knows are skipped; others apply where they exist', () => {
  const profile: Seccomp = {
    defaultAction: 'SCMP_ACT_ERRNO',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
    syscalls: [
      { names: ['no_such_call', 'cacheflush', 'arm_fadvise64_64'], action: 'SCMP_ACT_TRAP' },
      { names: ['socketcall', 'getpid'], action: 'SCMP_ACT_ALLOW' },
    ],
  };
  assert.equal(decide(profile, { nr: GETPID }), ALLOW);
  assert.equal(decide(profile, { nr: 102, arch: AUDIT_ARCH_I386 }), ALLOW); // socketcall, i386 only
  assert.equal(decide(profile, { nr: 102 }), errno(1)); // getuid on x86_64
  const onlyUnknown: Seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['nope'], action: 'SCMP_ACT_KILL' }] };
  assert.equal(decide(onlyUnknown, { nr: GETPID }), ALLOW);
});

test('a call from an architecture the filter does not cover is killed', () => {
  const profile: Seccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'] };
  assert.equal(decide(profile, { nr: GETPID }), ALLOW);
  assert.equal(decide(profile, { nr: I386_GETPID, arch: AUDIT_ARCH_I386 }), KILL_PROCESS);
  assert.equal(decide(profile, { nr: 172, arch: AUDIT_ARCH_AARCH64 }), KILL_PROCESS);
  assert.equal(decide(profile, { nr: 0, arch: 0 }), KILL_PROCESS);
  // No architectures: the native one only, as libseccomp.
  assert.equal(decide({ defaultAction: 'SCMP_ACT_ALLOW' }, { nr: I386_GETPID, arch: AUDIT_ARCH_I386 }), KILL_PROCESS);
});

test('listed compatible ABIs get their own numbers; foreign ones are ignored', () => {
  const profile: Seccomp = {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_MIPS'],
    syscalls: [{ names: ['getpid'], action: 'SCMP_ACT_ERRNO', errnoRet: 5 }],
  };
  assert.equal(decide(profile, { nr: GETPID }), errno(5));
  assert.equal(decide(profile, { nr: I386_GETPID, arch: AUDIT_ARCH_I386 }), errno(5));
  assert.equal(decide(profile, { nr: GETPID, arch: AUDIT_ARCH_I386 }), ALLOW); // i386 39 is mkdir
  assert.equal(decide(profile, { nr: 172, arch: AUDIT_ARCH_AARCH64 }), KILL_PROCESS);
});

test('x32 calls on x86_64 are x32 rules or the bad-arch action, never x86_64 rules', () => {
  const withoutX32: Seccomp = {
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [{ names: ['getpid'], action: 'SCMP_ACT_ERRNO' }],
  };
  assert.equal(decide(withoutX32, { nr: X32_SYSCALL_BIT | X32_GETPID }), KILL_PROCESS);
  assert.equal(decide(withoutX32, { nr: X32_SYSCALL_BIT | 1000 }), KILL_PROCESS);
  // -1 is what ptrace leaves to skip a call: the default action, as libseccomp.
  assert.equal(decide(withoutX32, { nr: 0xffffffff }), ALLOW);

  const withX32: Seccomp = {
    defaultAction: 'SCMP_ACT_ERRNO',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X32'],
    syscalls: [
      { names: ['getpid'], action: 'SCMP_ACT_ALLOW' },
      { names: ['rt_sigaction'], action: 'SCMP_ACT_TRAP' },
    ],
  };
  assert.equal(decide(withX32, { nr: GETPID }), ALLOW);
  assert.equal(decide(withX32, { nr: X32_SYSCALL_BIT | X32_GETPID }), ALLOW);
  assert.equal(decide(withX32, { nr: X32_SYSCALL_BIT | X32_RT_SIGACTION }), TRAP);
  assert.equal(decide(withX32, { nr: X32_SYSCALL_BIT | 13 }), errno(1)); // x32 has no 13
  assert.equal(decide(withX32, { nr: 13 }), TRAP); // x86_64 rt_sigaction
  assert.equal(decide(withX32, { nr: 0xffffffff }), errno(1));
  // x32 arguments are 64-bit registers: the high word counts.
  const args: Seccomp = {
    defaultAction: 'SCMP_ACT_ERRNO',
    architectures: ['SCMP_ARCH_X32'],
    syscalls: [{ names: ['getpid'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] }],
  };
  assert.equal(decide(args, { nr: X32_SYSCALL_BIT | X32_GETPID, args: [0n] }), ALLOW);
  assert.equal(decide(args, { nr: X32_SYSCALL_BIT | X32_GETPID, args: [0x1_0000_0000n] }), errno(1));
});

test('32-bit ABIs compare the low word only; conditions needing high bits are decided up front', () => {
  const rule = (op: SeccompOperator, value: number): Seccomp => ({
    defaultAction: 'SCMP_ACT_ERRNO',
    architectures: ['SCMP_ARCH_X86'],
    syscalls: [{ names: ['getpid'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, value, op }] }],
  });
  const i386 = (profile: Seccomp, arg: bigint): number => decide(profile, { nr: I386_GETPID, arch: AUDIT_ARCH_I386, args: [0n, arg] });
  assert.equal(i386(rule('SCMP_CMP_EQ', 5), 5n), ALLOW);
  assert.equal(i386(rule('SCMP_CMP_EQ', 5), 0x7_0000_0005n), ALLOW); // high word not looked at
  assert.equal(i386(rule('SCMP_CMP_EQ', 0x1_0000_0005), 5n), errno(1));
  assert.equal(i386(rule('SCMP_CMP_GE', 0x1_0000_0000), 0xffffffffn), errno(1));
  assert.equal(i386(rule('SCMP_CMP_NE', 0x1_0000_0005), 5n), ALLOW);
  assert.equal(i386(rule('SCMP_CMP_LT', 0x1_0000_0000), 0xffffffffn), ALLOW);
  assert.equal(i386(rule('SCMP_CMP_GT', 3), 4n), ALLOW);
  assert.equal(i386(rule('SCMP_CMP_GT', 3), 3n), errno(1));
  // And the same profile keeps 64-bit comparisons on x86_64.
  assert.equal(decide({ ...rule('SCMP_CMP_EQ', 5), architectures: [] }, { nr: GETPID, args: [0n, 0x7_0000_0005n] }), errno(1));
});

test('on an arm64 host: aarch64 is native, arm is compatible, x86_64 is foreign', () => {
  const profile: Seccomp = {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM', 'SCMP_ARCH_X86_64'],
    syscalls: [{ names: ['getpid', 'mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 9 }],
  };
  assert.equal(decide(profile, { nr: 172 }, 'arm64'), errno(9));
  assert.equal(decide(profile, { nr: 20, arch: AUDIT_ARCH_ARM }, 'arm64'), errno(9));
  assert.equal(decide(profile, { nr: 39, arch: AUDIT_ARCH_ARM }, 'arm64'), errno(9)); // arm mkdir
  assert.equal(decide(profile, { nr: 39 }, 'arm64'), ALLOW); // aarch64 39 is umount2
  assert.equal(decide(profile, { nr: GETPID, arch: AUDIT_ARCH_X86_64 }, 'arm64'), KILL_PROCESS);
});

test('compiled programs pass the loader checks and end in a return', () => {
  const program = compileSeccompFilter({
    defaultAction: 'SCMP_ACT_ERRNO',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }],
  }, 'x64');
  assert.ok(verify(program).length < 40);
});
