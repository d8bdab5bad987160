// A classic BPF interpreter for seccomp filters, for tests: it runs exactly the instructions
// berth's compiler emits and refuses anything else, and checks what the kernel's loader checks
// (forward jumps inside the program, aligned loads inside seccomp_data, a return at the end).

export interface SeccompData {
  nr: number;
  arch: number;
  instructionPointer?: bigint;
  args?: bigint[];
}

export interface Instruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

const LD_W_ABS = 0x20;
const ALU_AND_K = 0x54;
const JMP_JA = 0x05;
const JMP_JEQ_K = 0x15;
const JMP_JGT_K = 0x25;
const JMP_JGE_K = 0x35;
const JMP_JSET_K = 0x45;
const RET_K = 0x06;
const MAX_INSTRUCTIONS = 4096;

export function decode(program: Buffer): Instruction[] {
  if (program.length === 0 || program.length % 8 !== 0) throw new Error(`program of ${program.length} bytes`);
  const out: Instruction[] = [];
  for (let o = 0; o < program.length; o += 8) {
    out.push({ code: program.readUInt16LE(o), jt: program.readUInt8(o + 2), jf: program.readUInt8(o + 3), k: program.readUInt32LE(o + 4) });
  }
  return out;
}

/** What the kernel's loader would check, statically; throws on the first problem. */
export function verify(program: Buffer): Instruction[] {
  const insns = decode(program);
  if (insns.length > MAX_INSTRUCTIONS) throw new Error(`${insns.length} instructions, more than ${MAX_INSTRUCTIONS}`);
  const inRange = (pc: number, offset: number): void => {
    if (pc + 1 + offset >= insns.length) throw new Error(`jump at ${pc} by ${offset} leaves the program`);
  };
  insns.forEach((insn, pc) => {
    switch (insn.code) {
      case LD_W_ABS:
        if (insn.k >= 64 || insn.k % 4 !== 0) throw new Error(`load at ${pc} from offset ${insn.k}`);
        break;
      case ALU_AND_K:
      case RET_K:
        break;
      case JMP_JA:
        inRange(pc, insn.k);
        break;
      case JMP_JEQ_K:
      case JMP_JGT_K:
      case JMP_JGE_K:
      case JMP_JSET_K:
        inRange(pc, insn.jt);
        inRange(pc, insn.jf);
        break;
      default:
        throw new Error(`unexpected instruction code 0x${insn.code.toString(16)} at ${pc}`);
    }
  });
  if (insns[insns.length - 1]!.code !== RET_K) throw new Error('the program does not end with a return');
  return insns;
}

export function seccompDataBytes(data: SeccompData): Buffer {
  const bytes = Buffer.alloc(64);
  bytes.writeUInt32LE(data.nr >>> 0, 0);
  bytes.writeUInt32LE(data.arch >>> 0, 4);
  bytes.writeBigUInt64LE(data.instructionPointer ?? 0n, 8);
  (data.args ?? []).forEach((arg, i) => bytes.writeBigUInt64LE(BigInt.asUintN(64, arg), 16 + 8 * i));
  return bytes;
}

/** Runs the filter on one system call; returns the SECCOMP_RET_* value. */
export function run(program: Buffer, data: SeccompData): number {
  const insns = verify(program);
  const input = seccompDataBytes(data);
  let a = 0;
  let pc = 0;
  for (;;) {
    const insn = insns[pc];
    if (!insn) throw new Error(`fell off the end at ${pc}`);
    let next = pc + 1;
    switch (insn.code) {
      case LD_W_ABS:
        a = input.readUInt32LE(insn.k);
        break;
      case ALU_AND_K:
        a = (a & insn.k) >>> 0;
        break;
      case JMP_JA:
        next += insn.k;
        break;
      case JMP_JEQ_K:
        next += a === insn.k ? insn.jt : insn.jf;
        break;
      case JMP_JGT_K:
        next += a > insn.k ? insn.jt : insn.jf;
        break;
      case JMP_JGE_K:
        next += a >= insn.k ? insn.jt : insn.jf;
        break;
      case JMP_JSET_K:
        next += (a & insn.k) !== 0 ? insn.jt : insn.jf;
        break;
      case RET_K:
        return insn.k;
      default:
        throw new Error(`unexpected instruction code 0x${insn.code.toString(16)} at ${pc}`);
    }
    if (next >= insns.length) throw new Error(`jump from ${pc} to ${next}, past the end`);
    pc = next;
  }
}

/** sizeof(struct sock_filter) is 8. */
export function instructionCount(program: Buffer): number {
  return program.length / 8;
}
