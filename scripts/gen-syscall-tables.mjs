#!/usr/bin/env node
// Generates src/runtime/seccomp/syscalls/<abi>.ts: system call name → number tables that the
// seccomp compiler uses to turn an OCI profile's names into the numbers the kernel puts in
// seccomp_data.nr. The tables are committed, so building berth needs none of this; run it again
// (`node scripts/gen-syscall-tables.mjs`) when the kernel headers gain system calls.
//
// Needs, on a Debian x86_64 machine: gcc's preprocessor, linux-libc-dev (x86_64, i386, x32 and
// the generic table that arm64 uses) and linux-libc-dev-armhf-cross (32-bit ARM, whose table is
// not generic). The headers are run through `cpp -dM` rather than parsed by hand because the
// generic table is made of #if blocks and macros chosen by each architecture's __ARCH_WANT_*.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(repo, 'src', 'runtime', 'seccomp', 'syscalls');

const hostInclude = ['-I/usr/include/x86_64-linux-gnu', '-I/usr/include'];
const armInclude = ['-I/usr/arm-linux-gnueabihf/include'];

/**
 * One table per ABI. `source` is the C text fed to the preprocessor, `header` the file it reads,
 * `packageName` the Debian package that ships that file (its version goes into the output).
 */
const abis = [
  {
    file: 'x86_64.ts',
    exportName: 'x86_64SyscallNumbers',
    description: 'x86_64 (SCMP_ARCH_X86_64)',
    header: '/usr/include/x86_64-linux-gnu/asm/unistd_64.h',
    packageName: 'linux-libc-dev',
    cppArgs: hostInclude,
    source: '#include <asm/unistd_64.h>\n',
  },
  {
    file: 'x86.ts',
    exportName: 'x86SyscallNumbers',
    description: 'i386 (SCMP_ARCH_X86)',
    header: '/usr/include/x86_64-linux-gnu/asm/unistd_32.h',
    packageName: 'linux-libc-dev',
    cppArgs: hostInclude,
    source: '#include <asm/unistd_32.h>\n',
  },
  {
    // x32 has its own numbers for the calls whose structures differ from x86_64 (512 and up), so
    // its table comes from unistd_x32.h rather than from x86_64's. The numbers are stored without
    // __X32_SYSCALL_BIT; arch.ts adds it, as the kernel sees it in seccomp_data.nr.
    file: 'x32.ts',
    exportName: 'x32SyscallNumbers',
    description: 'x32 (SCMP_ARCH_X32), without __X32_SYSCALL_BIT (0x40000000)',
    header: '/usr/include/x86_64-linux-gnu/asm/unistd_x32.h',
    packageName: 'linux-libc-dev',
    cppArgs: [...hostInclude, '-D__X32_SYSCALL_BIT=0'],
    source: '#include <asm/unistd_x32.h>\n',
  },
  {
    // arm64 uses the generic table with the choices of arch/arm64/include/uapi/asm/unistd.h.
    file: 'aarch64.ts',
    exportName: 'aarch64SyscallNumbers',
    description: 'aarch64 (SCMP_ARCH_AARCH64)',
    header: '/usr/include/asm-generic/unistd.h',
    packageName: 'linux-libc-dev',
    cppArgs: hostInclude,
    source: [
      '#define __ARCH_WANT_RENAMEAT',
      '#define __ARCH_WANT_NEW_STAT',
      '#define __ARCH_WANT_SET_GET_RLIMIT',
      '#define __ARCH_WANT_TIME32_SYSCALLS',
      '#define __ARCH_WANT_SYS_CLONE3',
      '#define __ARCH_WANT_MEMFD_SECRET',
      '#include <asm-generic/unistd.h>',
      '',
    ].join('\n'),
    expectBitsPerLong: 64,
  },
  {
    // EABI numbering (__NR_SYSCALL_BASE 0), which is what arm64 kernels run 32-bit code with; the
    // ARM-private calls (__ARM_NR_cacheflush, ...) are kept under their libseccomp names.
    file: 'arm.ts',
    exportName: 'armSyscallNumbers',
    description: '32-bit ARM EABI (SCMP_ARCH_ARM)',
    header: '/usr/arm-linux-gnueabihf/include/asm/unistd.h',
    packageName: 'linux-libc-dev-armhf-cross',
    cppArgs: ['-nostdinc', ...armInclude, '-D__ARM_EABI__'],
    source: '#include <asm/unistd.h>\n',
  },
];

/** Names that look like system calls in the headers but are not ones. */
const notSyscalls = new Set(['syscalls', 'arch_specific_syscall']);

function macrosOf(abi) {
  const text = execFileSync('cpp', ['-dM', '-P', '-x', 'c', ...abi.cppArgs, '-'], {
    input: abi.source,
    encoding: 'utf8',
  });
  const macros = new Map();
  for (const line of text.split('\n')) {
    // Object-like macros only: a function-like macro has '(' straight after its name.
    const match = /^#define ([A-Za-z_][A-Za-z0-9_]*)(?: (.*))?$/.exec(line);
    if (match) macros.set(match[1], (match[2] ?? '').trim());
  }
  return macros;
}

/** Evaluates a macro body made of integers, macro names, + - | << and parentheses. */
function evaluate(expression, macros, seen = new Set()) {
  const tokens = expression.match(/0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|[A-Za-z_]\w*|<<|[-+|()]/g) ?? [];
  if (tokens.join('') !== expression.replace(/\s+/g, '')) {
    throw new Error(`cannot evaluate ${JSON.stringify(expression)}`);
  }
  let at = 0;
  const primary = () => {
    const token = tokens[at++];
    if (token === undefined) throw new Error(`unexpected end of ${JSON.stringify(expression)}`);
    if (token === '(') {
      const value = or();
      if (tokens[at++] !== ')') throw new Error(`unbalanced ${JSON.stringify(expression)}`);
      return value;
    }
    if (/^\d/.test(token)) return Number.parseInt(token.replace(/[uUlL]+$/, ''));
    if (/^[A-Za-z_]/.test(token)) {
      if (seen.has(token) || !macros.has(token)) throw new Error(`cannot resolve ${token}`);
      return evaluate(macros.get(token), macros, new Set([...seen, token]));
    }
    throw new Error(`unexpected ${token} in ${JSON.stringify(expression)}`);
  };
  const additive = () => {
    let value = primary();
    while (tokens[at] === '+' || tokens[at] === '-') value = tokens[at++] === '+' ? value + primary() : value - primary();
    return value;
  };
  const shift = () => {
    let value = additive();
    while (tokens[at] === '<<') { at++; value = value * 2 ** additive(); }
    return value;
  };
  const or = () => {
    let value = shift();
    while (tokens[at] === '|') { at++; value = Number(BigInt(value) | BigInt(shift())); }
    return value;
  };
  const value = or();
  if (at !== tokens.length) throw new Error(`trailing tokens in ${JSON.stringify(expression)}`);
  return value;
}

function tableOf(abi) {
  if (!existsSync(abi.header)) {
    throw new Error(`${abi.header} is missing: install the Debian package ${abi.packageName}`);
  }
  const macros = macrosOf(abi);
  if (abi.expectBitsPerLong !== undefined && macros.get('__BITS_PER_LONG') !== String(abi.expectBitsPerLong)) {
    throw new Error(`${abi.file}: expected __BITS_PER_LONG ${abi.expectBitsPerLong}, got ${macros.get('__BITS_PER_LONG')}`);
  }
  const table = new Map();
  for (const macro of macros.keys()) {
    const match = /^__(?:ARM_)?NR_([a-z0-9_]+)$/.exec(macro);
    if (!match || notSyscalls.has(match[1])) continue;
    if (macro === '__ARM_NR_BASE') continue;
    const number = evaluate(macros.get(macro), macros);
    if (!Number.isSafeInteger(number) || number < 0) throw new Error(`${macro} = ${number}`);
    table.set(match[1], number);
  }
  if (table.size < 250) throw new Error(`${abi.file}: only ${table.size} system calls found`);
  return [...table].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
}

function packageVersion(name) {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', name], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown version';
  }
}

function render(abi, table) {
  const defines = abi.cppArgs.filter((arg) => arg.startsWith('-D')).join(' ');
  const lines = [
    `// Generated by scripts/gen-syscall-tables.mjs from ${abi.header}`,
    `// (${abi.packageName} ${packageVersion(abi.packageName)}) through \`cpp -dM\`${defines ? ` with ${defines}` : ''}.`,
    '// Do not edit by hand: run the script again.',
    '',
    `/** System call numbers of ${abi.description}, by name. */`,
    `export const ${abi.exportName}: Readonly<Record<string, number>> = {`,
    ...table.map(([name, number]) => `  ${name}: ${number},`),
    '};',
    '',
  ];
  return lines.join('\n');
}

for (const abi of abis) {
  const table = tableOf(abi);
  writeFileSync(join(outDir, abi.file), render(abi, table));
  console.log(`${abi.file}: ${table.length} system calls`);
}
