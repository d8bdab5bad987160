// Argument conditions (linux.seccomp.syscalls[].args): checking them, and the BPF that tests one.
// seccomp_data.args are 64-bit; classic BPF handles 32-bit words, so a 64-bit comparison looks
// at the high word first and at the low word only when the high words are equal, as libseccomp
// does on 64-bit ABIs.

import { InvalidArgument } from '../../errors.js';
import type { SeccompOperator } from '../spec/types.js';
import { seccompOperators } from '../spec/validate.js';
import { type Assembler, type Label, seccompData } from './bpf.js';

/** berth compiles every operator the spec defines. */
export const knownSeccompOperators: readonly SeccompOperator[] = seccompOperators;

/** One checked condition. For MASKED_EQ, `value` is the mask and `valueTwo` the wanted result. */
export interface ArgCondition {
  index: number;
  op: SeccompOperator;
  value: bigint;
  valueTwo: bigint;
}

const MAX_ARG = 2n ** 64n - 1n;
const WORD = 0xffffffffn;

/** Checks one entry of a rule's args; `field` is its place in the spec, for messages. */
export function parseCondition(arg: unknown, field: string): ArgCondition {
  if (typeof arg !== 'object' || arg === null) throw new InvalidArgument(`${field}: must be an object`);
  const { index, value, valueTwo, op } = arg as Record<string, unknown>;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > 5) {
    // Six: the argument registers seccomp_data.args holds.
    throw new InvalidArgument(`${field}.index: must be an integer from 0 to 5`);
  }
  if (!knownSeccompOperators.includes(op as SeccompOperator)) {
    throw new InvalidArgument(`${field}.op: unknown operator ${JSON.stringify(op)}`);
  }
  return {
    index,
    op: op as SeccompOperator,
    value: argValue(value, `${field}.value`),
    valueTwo: valueTwo === undefined ? 0n : argValue(valueTwo, `${field}.valueTwo`),
  };
}

/**
 * A JSON number. Exact up to 2^53; larger ones arrive rounded by JSON.parse, and 2^64-1 itself
 * rounds to 2^64, which is out of range.
 */
function argValue(value: unknown, field: string): bigint {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || BigInt(value) > MAX_ARG) {
    throw new InvalidArgument(`${field}: must be an integer from 0 to 2^64-1`);
  }
  return BigInt(value);
}

/**
 * What a condition comes to before looking at the argument: 'always' or 'never' when it cannot
 * depend on it, 'test' when code must look. MASKED_EQ never holds when the wanted result has
 * bits outside the mask. On a 32-bit ABI the argument is a 32-bit value (its high word is taken
 * as 0, and only the low word is loaded), so a condition that needs high bits is decided here:
 * EQ/GT/GE/MASKED_EQ with high bits never hold, NE/LT/LE always do.
 */
export function foldCondition(cond: ArgCondition, argBits: 32 | 64): 'always' | 'never' | 'test' {
  if (cond.op === 'SCMP_CMP_MASKED_EQ' && (cond.valueTwo & ~cond.value) !== 0n) return 'never';
  if (argBits === 64) return 'test';
  const high = cond.op === 'SCMP_CMP_MASKED_EQ' ? cond.valueTwo >> 32n : cond.value >> 32n;
  if (high === 0n) return 'test';
  switch (cond.op) {
    case 'SCMP_CMP_NE':
    case 'SCMP_CMP_LT':
    case 'SCMP_CMP_LE':
      return 'always';
    default:
      return 'never';
  }
}

/**
 * Emits a test of `cond` that jumps to `fail` when it does not hold and falls through when it
 * does. Clobbers the accumulator. Call only for conditions foldCondition says need testing.
 */
export function emitCondition(asm: Assembler, cond: ArgCondition, argBits: 32 | 64, fail: Label): void {
  const pass = asm.label();
  const low = (v: bigint): number => Number(v & WORD);
  const high = (v: bigint): number => Number((v >> 32n) & WORD);
  const lowOffset = seccompData.argLow(cond.index);
  const highOffset = seccompData.argHigh(cond.index);
  const wide = argBits === 64;
  const v = cond.value;

  switch (cond.op) {
    case 'SCMP_CMP_EQ':
      if (wide) {
        asm.load(highOffset);
        asm.branch('eq', high(v), null, fail);
      }
      asm.load(lowOffset);
      asm.branch('eq', low(v), null, fail);
      break;
    case 'SCMP_CMP_NE':
      if (wide) {
        asm.load(highOffset);
        asm.branch('eq', high(v), null, pass);
      }
      asm.load(lowOffset);
      asm.branch('eq', low(v), fail, null);
      break;
    case 'SCMP_CMP_GT':
    case 'SCMP_CMP_GE':
      // A greater high word decides; a smaller one fails; an equal one leaves it to the low word.
      // (No high word is smaller than 0: then only the first test is needed.)
      if (wide) {
        asm.load(highOffset);
        asm.branch('gt', high(v), pass, null);
        if (high(v) !== 0) asm.branch('eq', high(v), null, fail);
      }
      asm.load(lowOffset);
      asm.branch(cond.op === 'SCMP_CMP_GT' ? 'gt' : 'ge', low(v), null, fail);
      break;
    case 'SCMP_CMP_LT':
    case 'SCMP_CMP_LE':
      // The negations of GE and GT.
      if (wide) {
        asm.load(highOffset);
        asm.branch('gt', high(v), fail, null);
        if (high(v) !== 0) asm.branch('eq', high(v), null, pass);
      }
      asm.load(lowOffset);
      asm.branch(cond.op === 'SCMP_CMP_LT' ? 'ge' : 'gt', low(v), fail, null);
      break;
    case 'SCMP_CMP_MASKED_EQ':
      // With no high bits in the mask the high word always passes (foldCondition made sure
      // the wanted result has none either).
      if (wide && high(v) !== 0) {
        asm.load(highOffset);
        asm.and(high(v));
        asm.branch('eq', high(cond.valueTwo), null, fail);
      }
      asm.load(lowOffset);
      asm.and(low(v));
      asm.branch('eq', low(cond.valueTwo), null, fail);
      break;
  }
  asm.bind(pass);
}
