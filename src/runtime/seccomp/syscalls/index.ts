// The generated system call tables, by the libseccomp name of the ABI they belong to.

import { aarch64SyscallNumbers } from './aarch64.js';
import { armSyscallNumbers } from './arm.js';
import { x32SyscallNumbers } from './x32.js';
import { x86SyscallNumbers } from './x86.js';
import { x86_64SyscallNumbers } from './x86_64.js';

export type SyscallTableArch =
  | 'SCMP_ARCH_X86_64'
  | 'SCMP_ARCH_X86'
  | 'SCMP_ARCH_X32'
  | 'SCMP_ARCH_AARCH64'
  | 'SCMP_ARCH_ARM';

/** Name → number. x32's numbers are stored without __X32_SYSCALL_BIT. */
export const syscallTables: Readonly<Record<SyscallTableArch, Readonly<Record<string, number>>>> = {
  SCMP_ARCH_X86_64: x86_64SyscallNumbers,
  SCMP_ARCH_X86: x86SyscallNumbers,
  SCMP_ARCH_X32: x32SyscallNumbers,
  SCMP_ARCH_AARCH64: aarch64SyscallNumbers,
  SCMP_ARCH_ARM: armSyscallNumbers,
};

/** The number of `name` on `arch`, or undefined when that ABI has no such system call. */
export function syscallNumber(arch: SyscallTableArch, name: string): number | undefined {
  const table = syscallTables[arch];
  // Own properties only: "constructor" or "__proto__" are not system calls.
  return Object.hasOwn(table, name) ? table[name] : undefined;
}
