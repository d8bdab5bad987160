// Seccomp architectures: the libseccomp names a profile may list, the ABIs berth can filter
// (those it has system call tables for), and which of them can run on a given host.

import { InvalidArgument, Unsupported } from '../../errors.js';
import type { SyscallTableArch } from './syscalls/index.js';

/**
 * Every architecture name the runtime-spec (and libseccomp) knows. A profile may list any of them;
 * those that cannot run on the host are ignored, as libseccomp ignores them on a foreign host.
 */
export const knownSeccompArchitectures: readonly string[] = [
  'SCMP_ARCH_X86',
  'SCMP_ARCH_X86_64',
  'SCMP_ARCH_X32',
  'SCMP_ARCH_ARM',
  'SCMP_ARCH_AARCH64',
  'SCMP_ARCH_LOONGARCH64',
  'SCMP_ARCH_M68K',
  'SCMP_ARCH_MIPS',
  'SCMP_ARCH_MIPS64',
  'SCMP_ARCH_MIPS64N32',
  'SCMP_ARCH_MIPSEL',
  'SCMP_ARCH_MIPSEL64',
  'SCMP_ARCH_MIPSEL64N32',
  'SCMP_ARCH_PPC',
  'SCMP_ARCH_PPC64',
  'SCMP_ARCH_PPC64LE',
  'SCMP_ARCH_S390',
  'SCMP_ARCH_S390X',
  'SCMP_ARCH_PARISC',
  'SCMP_ARCH_PARISC64',
  'SCMP_ARCH_RISCV64',
];

// AUDIT_ARCH_* (linux/audit.h): the value the kernel puts in seccomp_data.arch.
export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_I386 = 0x40000003;
export const AUDIT_ARCH_AARCH64 = 0xc00000b7;
export const AUDIT_ARCH_ARM = 0x40000028;
/** x32 system calls run under AUDIT_ARCH_X86_64 with this bit set in the number. */
export const X32_SYSCALL_BIT = 0x40000000;

/** An ABI berth can write filter code for. */
export interface SeccompAbi {
  name: SyscallTableArch;
  auditArch: number;
  /** Added to every number of the table: __X32_SYSCALL_BIT for x32, 0 otherwise. */
  syscallBase: number;
  /**
   * How wide system call arguments are. 32-bit ABIs compare only the low word, as libseccomp
   * does. x32 is 64: its arguments travel in 64-bit registers that the kernel hands to seccomp
   * whole, and many x32 calls use them whole, so checking only the low word could be bypassed.
   */
  argBits: 32 | 64;
}

const abis: Readonly<Record<SyscallTableArch, SeccompAbi>> = {
  SCMP_ARCH_X86_64: { name: 'SCMP_ARCH_X86_64', auditArch: AUDIT_ARCH_X86_64, syscallBase: 0, argBits: 64 },
  SCMP_ARCH_X86: { name: 'SCMP_ARCH_X86', auditArch: AUDIT_ARCH_I386, syscallBase: 0, argBits: 32 },
  SCMP_ARCH_X32: { name: 'SCMP_ARCH_X32', auditArch: AUDIT_ARCH_X86_64, syscallBase: X32_SYSCALL_BIT, argBits: 64 },
  SCMP_ARCH_AARCH64: { name: 'SCMP_ARCH_AARCH64', auditArch: AUDIT_ARCH_AARCH64, syscallBase: 0, argBits: 64 },
  SCMP_ARCH_ARM: { name: 'SCMP_ARCH_ARM', auditArch: AUDIT_ARCH_ARM, syscallBase: 0, argBits: 32 },
};

/** What a host runs: its own ABI and the others its kernel can also run. */
interface HostAbis {
  native: SyscallTableArch;
  compatible: readonly SyscallTableArch[];
}

/** By Node's process.arch, and by the kernel's `uname -m` name too. */
const hosts: Readonly<Record<string, HostAbis>> = {
  x64: { native: 'SCMP_ARCH_X86_64', compatible: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
  x86_64: { native: 'SCMP_ARCH_X86_64', compatible: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
  ia32: { native: 'SCMP_ARCH_X86', compatible: [] },
  arm64: { native: 'SCMP_ARCH_AARCH64', compatible: ['SCMP_ARCH_ARM'] },
  aarch64: { native: 'SCMP_ARCH_AARCH64', compatible: ['SCMP_ARCH_ARM'] },
  arm: { native: 'SCMP_ARCH_ARM', compatible: [] },
};

/**
 * The ABIs a filter covers on `hostArch`: the host's own, always first (libseccomp always
 * includes it), then the listed ones the host can also run, in list order.
 */
export function filterAbis(architectures: readonly string[] | undefined, hostArch: string): SeccompAbi[] {
  const host = Object.hasOwn(hosts, hostArch) ? hosts[hostArch] : undefined;
  if (!host) throw new Unsupported(`seccomp: berth has no system call tables for host architecture "${hostArch}"`);
  if (architectures !== undefined && !Array.isArray(architectures)) {
    throw new InvalidArgument('linux.seccomp.architectures: must be an array');
  }
  const chosen: SyscallTableArch[] = [host.native];
  (architectures ?? []).forEach((name, i) => {
    if (!knownSeccompArchitectures.includes(name)) {
      throw new InvalidArgument(`linux.seccomp.architectures[${i}]: unknown architecture ${JSON.stringify(name)}`);
    }
    const abi = host.compatible.find((candidate) => candidate === name);
    if (abi && !chosen.includes(abi)) chosen.push(abi);
  });
  return chosen.map((name) => abis[name]);
}
