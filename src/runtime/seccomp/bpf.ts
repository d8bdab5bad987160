// Classic BPF as seccomp uses it (linux/filter.h, linux/bpf_common.h, linux/seccomp.h), and a
// small assembler with labels. Conditional jumps in classic BPF have 8-bit offsets, so the
// assembler lays the program out and puts an unconditional jump (32-bit offset) next to every
// conditional jump whose target ended up too far away. Callers just jump to labels.

import { Internal } from '../../errors.js';

// Instruction classes, sizes, modes, operations (linux/bpf_common.h).
export const BPF_LD = 0x00;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_RET = 0x06;
export const BPF_W = 0x00;
export const BPF_ABS = 0x20;
export const BPF_K = 0x00;
export const BPF_AND = 0x50;
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;

/** The kernel refuses longer programs (include/uapi/linux/bpf_common.h). */
export const BPF_MAXINSNS = 4096;
/** sizeof(struct sock_filter): u16 code, u8 jt, u8 jf, u32 k. */
export const SOCK_FILTER_SIZE = 8;
/** The longest distance a conditional jump's jt or jf can skip. */
const MAX_SHORT_JUMP = 0xff;

/**
 * Offsets into struct seccomp_data { int nr; u32 arch; u64 instruction_pointer; u64 args[6]; }.
 * Arguments are read as two 32-bit words; the low word comes first on the little-endian
 * machines berth has system call tables for.
 */
export const seccompData = {
  size: 64,
  nr: 0,
  arch: 4,
  argLow: (index: number): number => 16 + 8 * index,
  argHigh: (index: number): number => 16 + 8 * index + 4,
} as const;

export type JumpTest = 'eq' | 'gt' | 'ge' | 'set';

const jumpOps: Record<JumpTest, number> = { eq: BPF_JEQ, gt: BPF_JGT, ge: BPF_JGE, set: BPF_JSET };

/** A place in the program, bound once with Assembler.bind before the instruction it names. */
export class Label {
  position: number | undefined;
}

type PendingInstruction =
  | { kind: 'plain'; code: number; k: number }
  /** A conditional jump; null means "the next instruction". */
  | { kind: 'branch'; code: number; k: number; whenTrue: Label | null; whenFalse: Label | null }
  | { kind: 'goto'; target: Label };

export class Assembler {
  private readonly pending: PendingInstruction[] = [];

  /** A new, unbound label. */
  label(): Label {
    return new Label();
  }

  /** Makes `label` name the next instruction emitted. */
  bind(label: Label): void {
    if (label.position !== undefined) throw new Internal('seccomp: BPF label bound twice');
    label.position = this.pending.length;
  }

  /** A = the 32-bit word at `offset` in seccomp_data. */
  load(offset: number): void {
    this.pending.push({ kind: 'plain', code: BPF_LD | BPF_W | BPF_ABS, k: offset });
  }

  /** A &= k. */
  and(k: number): void {
    this.pending.push({ kind: 'plain', code: BPF_ALU | BPF_AND | BPF_K, k });
  }

  /** Ends the filter with the seccomp action value `k`. */
  ret(k: number): void {
    this.pending.push({ kind: 'plain', code: BPF_RET | BPF_K, k });
  }

  /** if (A <test> k) go to whenTrue else go to whenFalse; null falls through. */
  branch(test: JumpTest, k: number, whenTrue: Label | null, whenFalse: Label | null): void {
    this.pending.push({ kind: 'branch', code: BPF_JMP | jumpOps[test] | BPF_K, k, whenTrue, whenFalse });
  }

  goto(target: Label): void {
    this.pending.push({ kind: 'goto', target });
  }

  /** Instructions emitted so far, before any trampolines are added. */
  get length(): number {
    return this.pending.length;
  }

  /** Lays the program out and encodes it as struct sock_filter[]. */
  assemble(): Buffer {
    const count = this.pending.length;
    const targetOf = (label: Label | null, from: number): number => {
      const target = label === null ? from + 1 : label.position;
      if (target === undefined) throw new Internal('seccomp: BPF label never bound');
      // Classic BPF only jumps forward, and never past the end.
      if (target <= from || target >= count) {
        throw new Internal(`seccomp: BPF jump from ${from} to ${target} in a program of ${count}`);
      }
      return target;
    };
    const targets = this.pending.map((insn, i) => {
      switch (insn.kind) {
        case 'plain':
          return { whenTrue: -1, whenFalse: -1 };
        case 'branch':
          return { whenTrue: targetOf(insn.whenTrue, i), whenFalse: targetOf(insn.whenFalse, i) };
        case 'goto':
          return { whenTrue: targetOf(insn.target, i), whenFalse: -1 };
      }
    });

    // Which branches of which jumps go through a trampoline (a JA right after the jump). Adding
    // one moves later code, which can push other jumps out of range: repeat until nothing changes.
    // It ends: a branch, once trampolined, stays so, and there are finitely many.
    const farTrue = new Array<boolean>(count).fill(false);
    const farFalse = new Array<boolean>(count).fill(false);
    let position: number[];
    for (;;) {
      position = layout(farTrue, farFalse);
      let changed = false;
      this.pending.forEach((insn, i) => {
        if (insn.kind !== 'branch') return;
        const { whenTrue, whenFalse } = targets[i]!;
        if (!farTrue[i] && position[whenTrue]! - position[i]! - 1 > MAX_SHORT_JUMP) farTrue[i] = changed = true;
        if (!farFalse[i] && position[whenFalse]! - position[i]! - 1 > MAX_SHORT_JUMP) farFalse[i] = changed = true;
      });
      if (!changed) break;
    }

    const total = position[count]!;
    const out = Buffer.alloc(total * SOCK_FILTER_SIZE);
    const write = (at: number, code: number, jt: number, jf: number, k: number): void => {
      const o = at * SOCK_FILTER_SIZE;
      out.writeUInt16LE(code, o);
      out.writeUInt8(jt, o + 2);
      out.writeUInt8(jf, o + 3);
      out.writeUInt32LE(k >>> 0, o + 4);
    };
    const jumpAlways = (at: number, target: number): void => write(at, BPF_JMP | BPF_JA, 0, 0, position[target]! - at - 1);

    this.pending.forEach((insn, i) => {
      const at = position[i]!;
      const { whenTrue, whenFalse } = targets[i]!;
      switch (insn.kind) {
        case 'plain':
          write(at, insn.code, 0, 0, insn.k);
          break;
        case 'goto':
          jumpAlways(at, whenTrue);
          break;
        case 'branch': {
          // Trampolines sit right after the jump: the true one first, then the false one.
          let next = at + 1;
          let jt: number;
          let jf: number;
          if (farTrue[i]) {
            jt = next - at - 1;
            jumpAlways(next++, whenTrue);
          } else {
            jt = position[whenTrue]! - at - 1;
          }
          if (farFalse[i]) {
            jf = next - at - 1;
            jumpAlways(next++, whenFalse);
          } else {
            jf = position[whenFalse]! - at - 1;
          }
          write(at, insn.code, jt, jf, insn.k);
          break;
        }
      }
    });
    return out;

    /** position[i] = where pending instruction i lands; position[count] = the total length. */
    function layout(trueFar: boolean[], falseFar: boolean[]): number[] {
      const at = new Array<number>(count + 1);
      at[0] = 0;
      for (let i = 0; i < count; i++) {
        at[i + 1] = at[i]! + 1 + (trueFar[i] ? 1 : 0) + (falseFar[i] ? 1 : 0);
      }
      return at;
    }
  }
}
