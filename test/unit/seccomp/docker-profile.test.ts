import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSeccompFilter } from '../../../src/runtime/seccomp/index.js';
import { x32SyscallNumbers } from '../../../src/runtime/seccomp/syscalls/x32.js';
import { x86SyscallNumbers } from '../../../src/runtime/seccomp/syscalls/x86.js';
import { x86_64SyscallNumbers } from '../../../src/runtime/seccomp/syscalls/x86_64.js';
import { instructionCount, run, verify } from './bpf-interpreter.js';
import { conditionalNames, deniedNames, dockerLikeProfile } from './docker-like-profile.js';
import { ALLOW, AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, errno, KILL_PROCESS, X32_SYSCALL_BIT } from './helpers.js';

const profile = dockerLikeProfile();
const program = compileSeccompFilter(profile, 'x64');

test('a Docker-sized profile fits the kernel limit with every jump in range', (t) => {
  assert.ok(profile.syscalls!.length >= 400, `${profile.syscalls!.length} rules`);
  const count = instructionCount(program);
  t.diagnostic(`${profile.syscalls!.length} rules, ${conditionalNames.length} calls with conditions: ${count} instructions`);
  assert.ok(count < 4096, `${count} instructions`);
  verify(program);
});

test('the Docker-sized filter decides every x86_64 call as the profile says', () => {
  for (const [name, nr] of Object.entries(x86_64SyscallNumbers)) {
    const call = (args: bigint[]): number => run(program, { nr, arch: AUDIT_ARCH_X86_64, args });
    if (deniedNames.includes(name)) {
      assert.equal(call([]), errno(1), name);
    } else if (conditionalNames.includes(name)) {
      assert.equal(call([BigInt(nr)]), ALLOW, `${name} arg0`);
      assert.equal(call([BigInt(nr) + 1n]), errno(1), `${name} other arg0`);
      assert.equal(call([0n, 2n ** 32n + BigInt(nr), 0x13n]), ALLOW, `${name} arg1 + arg2`);
      assert.equal(call([0n, 2n ** 32n + BigInt(nr), 0x23n]), errno(1), `${name} arg1 + bad arg2`);
      assert.equal(call([0n, BigInt(nr) + 5n, 0x13n]), errno(1), `${name} small arg1`);
    } else {
      assert.equal(call([]), ALLOW, name);
    }
  }
});

test('the Docker-sized filter covers i386 and x32 with their own numbers', () => {
  const i386 = (nr: number): number => run(program, { nr, arch: AUDIT_ARCH_I386 });
  assert.equal(i386(x86SyscallNumbers.getpid!), ALLOW);
  assert.equal(i386(x86SyscallNumbers.mkdir!), errno(1));
  assert.equal(i386(x86SyscallNumbers.socketcall!), errno(1)); // no x86_64 call of that name
  const x32 = (nr: number): number => run(program, { nr: X32_SYSCALL_BIT | nr, arch: AUDIT_ARCH_X86_64 });
  assert.equal(x32(x32SyscallNumbers.getpid!), ALLOW);
  assert.equal(x32(x32SyscallNumbers.mkdirat!), errno(1));
  assert.equal(run(program, { nr: 39, arch: 0xc00000b7 }), KILL_PROCESS);
});

test('compiling is deterministic', () => {
  assert.deepEqual(compileSeccompFilter(dockerLikeProfile(), 'x64'), program);
});
