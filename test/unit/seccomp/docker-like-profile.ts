// A profile the size and shape of Docker's default one, generated from the x86_64 table: one
// rule per system call (about 400 rules), most allowed outright, some only with argument
// conditions, mkdir/mkdirat left to the default action, a few names no x86 ABI knows.

import type { Seccomp, SeccompSyscall } from '../../../src/runtime/spec/types.js';
import { x86_64SyscallNumbers } from '../../../src/runtime/seccomp/syscalls/x86_64.js';

/** Left to the default action (EPERM), so a test can see the filter at work. */
export const deniedNames = ['mkdir', 'mkdirat'];

/** Calls a C test program makes after loading the filter: always allowed outright. */
const essential = new Set([
  'read', 'write', 'writev', 'exit', 'exit_group', 'brk', 'mmap', 'munmap', 'mprotect', 'mremap', 'madvise',
  'fstat', 'newfstatat', 'statx', 'close', 'lseek', 'ioctl', 'getpid', 'getpriority', 'rt_sigreturn',
  'rt_sigaction', 'rt_sigprocmask', 'futex', 'restart_syscall',
]);

/** Allowed only when arg0 == the call's number, or when arg1 >= 2^32 + number and arg2 & 0xf0 == 0x10. */
export const conditionalNames = Object.keys(x86_64SyscallNumbers)
  .sort()
  .filter((name, i) => i % 8 === 3 && !essential.has(name) && !deniedNames.includes(name));

/** Names of other architectures, which compiling must skip. */
export const foreignNames = ['arm_fadvise64_64', 'arm_sync_file_range', 'breakpoint', 'cacheflush', 'set_tls', 'usr26', 'usr32'];

export function dockerLikeProfile(): Seccomp {
  const syscalls: SeccompSyscall[] = [];
  for (const name of Object.keys(x86_64SyscallNumbers).sort()) {
    if (deniedNames.includes(name)) continue;
    if (!conditionalNames.includes(name)) {
      syscalls.push({ names: [name], action: 'SCMP_ACT_ALLOW' });
      continue;
    }
    const nr = x86_64SyscallNumbers[name]!;
    syscalls.push({ names: [name], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: nr, op: 'SCMP_CMP_EQ' }] });
    syscalls.push({
      names: [name],
      action: 'SCMP_ACT_ALLOW',
      args: [
        { index: 1, value: 2 ** 32 + nr, op: 'SCMP_CMP_GE' },
        { index: 2, value: 0xf0, valueTwo: 0x10, op: 'SCMP_CMP_MASKED_EQ' },
      ],
    });
  }
  syscalls.push({ names: foreignNames, action: 'SCMP_ACT_ALLOW' });
  // Docker's shape: a rule that repeats the default action, dropped when compiling.
  syscalls.push({ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' });
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls,
  };
}
