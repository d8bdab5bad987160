// The compiled filters in the real kernel: a small C program (built here with gcc, as berth-init
// is not wired to seccomp yet) reads a filter on stdin, loads it with seccomp(2) under
// no_new_privs, then makes the system calls it is told to and prints what they returned.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileSeccompFilter, seccompFilterFlags } from '../../../src/runtime/seccomp/index.js';
import type { Seccomp } from '../../../src/runtime/spec/types.js';
import { dockerLikeProfile } from '../../unit/seccomp/docker-like-profile.js';

const gcc = '/usr/bin/gcc';
const skip = process.arch !== 'x64' ? 'needs an x86_64 host' : !existsSync(gcc) ? 'needs /usr/bin/gcc' : false;

// Operations: mkdir:<path>, getpid, getpid:<arg0> (64-bit), getpriority:<who> (64-bit),
// raw:<nr> (syscall(nr), no arguments), int80-getpid:<arg0> (i386 getpid through int $0x80). Each prints "<op> ok" or "<op> errno N".
const source = String.raw`
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static struct sock_filter program[4096];

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "none") != 0) {
		size_t bytes = 0;
		ssize_t n;
		while ((n = read(0, (char *)program + bytes, sizeof program - bytes)) > 0)
			bytes += (size_t)n;
		struct sock_fprog prog = { .len = (unsigned short)(bytes / sizeof program[0]), .filter = program };
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
			return 3;
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, strtoul(argv[1], NULL, 0), &prog) != 0) {
			printf("seccomp errno %d\n", errno);
			return 4;
		}
		printf("seccomp ok\n");
	}
	for (int i = 2; i < argc; i++) {
		const char *op = argv[i];
		long rc;
		errno = 0;
		if (strncmp(op, "mkdir:", 6) == 0) {
			rc = mkdir(op + 6, 0700);
		} else if (strcmp(op, "getpid") == 0) {
			rc = syscall(SYS_getpid);
		} else if (strncmp(op, "getpid:", 7) == 0) {
			rc = syscall(SYS_getpid, strtoull(op + 7, NULL, 0));
		} else if (strncmp(op, "getpriority:", 12) == 0) {
			rc = syscall(SYS_getpriority, PRIO_PROCESS, strtoull(op + 12, NULL, 0));
		} else if (strncmp(op, "raw:", 4) == 0) {
			rc = syscall(strtol(op + 4, NULL, 0));
		} else if (strncmp(op, "int80-getpid:", 13) == 0) {
			int eax = 20;
			int ebx = (int)strtol(op + 13, NULL, 0);
			__asm__ volatile("int $0x80" : "+a"(eax) : "b"(ebx) : "memory", "r8", "r9", "r10", "r11");
			rc = eax < 0 ? -1 : eax;
			if (eax < 0)
				errno = -eax;
		} else {
			return 5;
		}
		if (rc < 0)
			printf("%s errno %d\n", op, errno);
		else
			printf("%s ok\n", op);
		fflush(stdout);
	}
	return 0;
}
`;

let dir = '';
let binary = '';

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'berth-seccomp-'));
  writeFileSync(join(dir, 'load.c'), source);
  binary = join(dir, 'load');
  const built = spawnSync(gcc, ['-O1', '-Wall', '-o', binary, join(dir, 'load.c')], { encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  lines: string[];
  signal: NodeJS.Signals | null;
  status: number | null;
}

function runWith(seccomp: Seccomp | null, ...ops: string[]): Outcome {
  const filter = seccomp ? compileSeccompFilter(seccomp) : Buffer.alloc(0);
  const flags = seccomp ? String(seccompFilterFlags(seccomp)) : 'none';
  // In the temporary directory: a call killed by SIGSYS may leave a core file.
  const result = spawnSync(binary, [flags, ...ops], { input: filter, encoding: 'utf8', cwd: dir });
  return { lines: result.stdout.split('\n').filter(Boolean), signal: result.signal, status: result.status };
}

test('the kernel runs a filter that fails mkdir with ENOSYS and lets getpid through', { skip }, () => {
  const path = join(dir, 'made-by-mkdir');
  const outcome = runWith(
    { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdirat', 'mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }] },
    `mkdir:${path}`, 'getpid',
  );
  assert.deepEqual(outcome.lines, ['seccomp ok', `mkdir:${path} errno 38`, 'getpid ok']);
  assert.equal(existsSync(path), false);
});

test('the kernel compares 64-bit arguments as the filter says', { skip }, () => {
  // getpriority's "who" is an int to the kernel, but seccomp sees the whole register.
  const outcome = runWith(
    {
      defaultAction: 'SCMP_ACT_ALLOW',
      flags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG'],
      syscalls: [{ names: ['getpriority'], action: 'SCMP_ACT_ERRNO', errnoRet: 42, args: [{ index: 1, value: 0x1_0000_0000, op: 'SCMP_CMP_EQ' }] }],
    },
    'getpriority:0', 'getpriority:0x100000000', 'getpriority:0x200000000',
  );
  assert.deepEqual(outcome.lines, ['seccomp ok', 'getpriority:0 ok', 'getpriority:0x100000000 errno 42', 'getpriority:0x200000000 ok']);
});

test('the kernel accepts a Docker-sized filter and enforces it', { skip }, () => {
  const path = join(dir, 'docker-like');
  const outcome = runWith(dockerLikeProfile(), `mkdir:${path}`, 'getpid', 'getpriority:0');
  assert.deepEqual(outcome.lines, ['seccomp ok', `mkdir:${path} errno 1`, 'getpid ok', 'getpriority:0 ok']);
  assert.equal(outcome.status, 0);
});

test('x32 numbers on x86_64 meet the bad-arch action unless x32 is covered; -1 does not', { skip }, () => {
  const x32Getpid = String(0x40000000 | 39);
  const killed = runWith({ defaultAction: 'SCMP_ACT_ALLOW' }, 'getpid', `raw:${x32Getpid}`);
  assert.deepEqual(killed.lines, ['seccomp ok', 'getpid ok']);
  assert.equal(killed.signal, 'SIGSYS');
  const minusOne = runWith({ defaultAction: 'SCMP_ACT_ALLOW' }, 'raw:-1');
  assert.deepEqual(minusOne.lines, ['seccomp ok', 'raw:-1 errno 38']);
  // Covered: x32's own rules decide (and the kernel, x32 or not, then runs or refuses it).
  const covered = runWith(
    { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X32'], syscalls: [{ names: ['getpid'], action: 'SCMP_ACT_ERRNO', errnoRet: 77 }] },
    `raw:${x32Getpid}`, 'getpid',
  );
  assert.deepEqual(covered.lines, ['seccomp ok', `raw:${x32Getpid} errno 77`, 'getpid errno 77']);
});

test('i386 calls through int $0x80 are killed unless SCMP_ARCH_X86 is listed', { skip }, (t) => {
  const probe = runWith(null, 'int80-getpid:0');
  if (probe.lines[0] !== 'int80-getpid:0 ok') {
    t.skip('this kernel does not run i386 system calls (no IA32 emulation)');
    return;
  }
  const killed = runWith({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'] }, 'getpid', 'int80-getpid:0');
  assert.deepEqual(killed.lines, ['seccomp ok', 'getpid ok']);
  assert.equal(killed.signal, 'SIGSYS');
  // i386 numbers (getpid is 20 there, 39 on x86_64) and 32-bit arguments: 0x100000005 is 5.
  const covered = runWith(
    {
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
      syscalls: [{ names: ['getpid'], action: 'SCMP_ACT_ERRNO', errnoRet: 55, args: [{ index: 0, value: 5, op: 'SCMP_CMP_EQ' }] }],
    },
    'int80-getpid:5', 'int80-getpid:6', 'getpid:5', 'getpid:0x100000005',
  );
  assert.deepEqual(covered.lines, ['seccomp ok', 'int80-getpid:5 errno 55', 'int80-getpid:6 ok', 'getpid:5 errno 55', 'getpid:0x100000005 ok']);
});
