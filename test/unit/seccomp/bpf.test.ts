import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Assembler, seccompData } from '../../../src/runtime/seccomp/bpf.js';
import { decode, run, verify } from './bpf-interpreter.js';

function encode(...insns: [number, number, number, number][]): Buffer {
  const out = Buffer.alloc(insns.length * 8);
  insns.forEach(([code, jt, jf, k], i) => {
    out.writeUInt16LE(code, i * 8);
    out.writeUInt8(jt, i * 8 + 2);
    out.writeUInt8(jf, i * 8 + 3);
    out.writeUInt32LE(k, i * 8 + 4);
  });
  return out;
}

test('the assembler encodes struct sock_filter little-endian, 8 bytes each', () => {
  const asm = new Assembler();
  asm.load(seccompData.arch);
  asm.branch('eq', 0xc000003e, null, null);
  asm.ret(0x7fff0000);
  const bytes = asm.assemble();
  assert.deepEqual([...bytes], [
    0x20, 0, 0, 0, 4, 0, 0, 0,
    0x15, 0, 0, 0, 0x3e, 0, 0, 0xc0,
    0x06, 0, 0, 0, 0, 0, 0xff, 0x7f,
  ]);
});

test('far conditional jumps go through JA trampolines and still land right', () => {
  // if (nr == 7) skip 1000 returns of 1, else 600 returns... every jump target far away.
  const asm = new Assembler();
  const far = asm.label();
  const farther = asm.label();
  asm.load(seccompData.nr);
  asm.branch('eq', 7, far, null);
  asm.branch('gt', 100, farther, far);
  for (let i = 0; i < 1000; i++) asm.ret(1);
  asm.bind(far);
  asm.ret(2);
  for (let i = 0; i < 300; i++) asm.ret(3);
  asm.bind(farther);
  asm.ret(4);
  const program = asm.assemble();
  const insns = verify(program);
  assert.ok(insns.some((insn) => insn.code === 0x05), 'uses JA');
  assert.equal(run(program, { nr: 7, arch: 0 }), 2);
  assert.equal(run(program, { nr: 8, arch: 0 }), 2);
  assert.equal(run(program, { nr: 101, arch: 0 }), 4);
});

test('near jumps need no trampoline', () => {
  const asm = new Assembler();
  const target = asm.label();
  asm.load(seccompData.nr);
  asm.branch('ge', 10, target, null);
  for (let i = 0; i < 255; i++) asm.ret(1);
  asm.bind(target);
  asm.ret(2);
  const insns = decode(asm.assemble());
  assert.equal(insns.length, 258);
  assert.equal(insns[1]!.jt, 255);
});

test('the assembler refuses unbound labels and jumps past the end', () => {
  const asm = new Assembler();
  asm.goto(asm.label());
  asm.ret(0);
  assert.throws(() => asm.assemble(), /never bound/);
  const end = new Assembler();
  end.branch('eq', 1, null, null);
  assert.throws(() => end.assemble(), /jump from 0 to 1/);
});

test('the interpreter refuses what the kernel would', () => {
  const data = { nr: 0, arch: 0 };
  assert.throws(() => run(encode([0x06, 0, 0, 0], [0x07, 0, 0, 0]), data), /does not end with a return|unexpected/);
  assert.throws(() => run(encode([0x15, 5, 0, 0], [0x06, 0, 0, 0]), data), /leaves the program/);
  assert.throws(() => run(encode([0x20, 0, 0, 6], [0x06, 0, 0, 0]), data), /load at 0/);
  assert.throws(() => run(encode([0x20, 0, 0, 64], [0x06, 0, 0, 0]), data), /load at 0/);
  assert.throws(() => run(encode([0x20, 0, 0, 0]), data), /does not end with a return/);
  assert.equal(run(encode([0x20, 0, 0, 0], [0x54, 0, 0, 0xf0], [0x45, 0, 1, 0x10], [0x06, 0, 0, 1], [0x06, 0, 0, 2]), { nr: 0x13, arch: 0 }), 1);
});
