// Shared constants and a one-call "what does the filter decide" for the seccomp tests.

import { compileSeccompFilter } from '../../../src/runtime/seccomp/index.js';
import type { Seccomp } from '../../../src/runtime/spec/types.js';
import { run, type SeccompData } from './bpf-interpreter.js';

export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_I386 = 0x40000003;
export const AUDIT_ARCH_AARCH64 = 0xc00000b7;
export const AUDIT_ARCH_ARM = 0x40000028;
export const X32_SYSCALL_BIT = 0x40000000;

export const KILL_PROCESS = 0x80000000;
export const KILL_THREAD = 0;
export const TRAP = 0x00030000;
export const ALLOW = 0x7fff0000;
export const LOG = 0x7ffc0000;
export const errno = (n: number): number => 0x00050000 | n;
export const trace = (n: number): number => 0x7ff00000 | n;

export type Call = Partial<SeccompData> & { nr: number };

/** The SECCOMP_RET_* value the compiled filter returns for `call` (x86_64 unless told). */
export function decide(seccomp: Seccomp, call: Call, hostArch = 'x64'): number {
  const arch = call.arch ?? { x64: AUDIT_ARCH_X86_64, arm64: AUDIT_ARCH_AARCH64, arm: AUDIT_ARCH_ARM }[hostArch]!;
  return run(compileSeccompFilter(seccomp, hostArch), { ...call, arch });
}
