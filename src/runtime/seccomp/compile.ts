// Compiles linux.seccomp into the classic BPF program berth-init loads just before execve.
//
// The program, like libseccomp's:
//   load arch; one check per covered audit arch, anything else -> KILL_PROCESS (bad arch);
//   per arch: load nr (on x86_64, numbers with __X32_SYSCALL_BIT go to the x32 rules, or to the
//   bad-arch action when x32 is not covered); a binary search on the number over runs of
//   numbers with the same outcome: an action, or the argument rules of one call; numbers
//   without rules -> the default action.
//
// Rule semantics follow runc + libseccomp: rules whose action is the default action are dropped;
// names no covered ABI knows are skipped; conditions of one rule are ANDed; for one system call,
// a rule without conditions overrides the ones with conditions (libseccomp replaces the call's
// argument tree with a catch-all, and keeps the first catch-all); rules with conditions are
// tried in spec order and the first that holds decides.
//
// Not done: libseccomp's rewriting of socket/ipc calls into socketcall/ipc multiplexer rules
// on 32-bit x86 (filters match the direct system calls only).

import { InvalidArgument, Unsupported } from '../../errors.js';
import type { Seccomp } from '../spec/types.js';
import { actionValue, badArchAction } from './actions.js';
import { AUDIT_ARCH_X86_64, filterAbis, type SeccompAbi, X32_SYSCALL_BIT } from './arch.js';
import { Assembler, BPF_MAXINSNS, type Label, SOCK_FILTER_SIZE, seccompData } from './bpf.js';
import { type ArgCondition, emitCondition, foldCondition, parseCondition } from './conditions.js';
import { seccompFilterFlags } from './flags.js';
import { syscallNumber } from './syscalls/index.js';

const SYSCALL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface Rule {
  names: string[];
  action: number;
  conditions: ArgCondition[];
}

/** What the filter does with one system call number of one ABI. */
interface SyscallPlan {
  nr: number;
  /** The action of a rule without conditions, which decides alone. */
  catchAll: number | undefined;
  /** Rules with conditions, in spec order. */
  conditional: { conditions: ArgCondition[]; action: number }[];
}

export function compileSeccompFilter(seccomp: Seccomp, hostArch: string = process.arch): Buffer {
  if (typeof seccomp !== 'object' || seccomp === null) throw new InvalidArgument('linux.seccomp: must be an object');
  const defaultAction = actionValue(
    seccomp.defaultAction,
    seccomp.defaultErrnoRet,
    'linux.seccomp.defaultAction',
    'linux.seccomp.defaultErrnoRet',
  );
  // The flags are not part of the program, but a profile with bad ones must not compile either.
  seccompFilterFlags(seccomp);
  if (seccomp.listenerPath !== undefined) {
    throw new Unsupported('linux.seccomp.listenerPath: seccomp user notification (SCMP_ACT_NOTIFY) is not supported by berth');
  }
  const abis = filterAbis(seccomp.architectures, hostArch);
  const rules = parseRules(seccomp.syscalls).filter((rule) => rule.action !== defaultAction);

  const asm = new Assembler();
  asm.load(seccompData.arch);
  const groups = groupByAuditArch(abis);
  const groupLabels = groups.map((group) => {
    const label = asm.label();
    asm.branch('eq', group[0]!.auditArch, label, null);
    return label;
  });
  asm.ret(badArchAction);
  groups.forEach((group, i) => {
    asm.bind(groupLabels[i]!);
    emitAuditArch(asm, group, rules, defaultAction);
  });

  const program = asm.assemble();
  const count = program.length / SOCK_FILTER_SIZE;
  if (count > BPF_MAXINSNS) {
    throw new InvalidArgument(`linux.seccomp: the filter takes ${count} BPF instructions, more than the kernel's limit of ${BPF_MAXINSNS}`);
  }
  return program;
}

function parseRules(syscalls: unknown): Rule[] {
  if (syscalls === undefined) return [];
  if (!Array.isArray(syscalls)) throw new InvalidArgument('linux.seccomp.syscalls: must be an array');
  return syscalls.map((item: unknown, i): Rule => {
    const field = `linux.seccomp.syscalls[${i}]`;
    if (typeof item !== 'object' || item === null) throw new InvalidArgument(`${field}: must be an object`);
    const rule = item as Record<string, unknown>;
    if (!Array.isArray(rule.names) || rule.names.length === 0) {
      throw new InvalidArgument(`${field}.names: must name at least one system call`);
    }
    const names = rule.names.map((name: unknown, j) => {
      if (typeof name !== 'string' || !SYSCALL_NAME.test(name)) {
        throw new InvalidArgument(`${field}.names[${j}]: ${JSON.stringify(name)} is not a system call name`);
      }
      return name;
    });
    const action = actionValue(rule.action, rule.errnoRet, `${field}.action`, `${field}.errnoRet`);
    if (rule.args !== undefined && !Array.isArray(rule.args)) throw new InvalidArgument(`${field}.args: must be an array`);
    const conditions = ((rule.args as unknown[] | undefined) ?? []).map((arg, j) => parseCondition(arg, `${field}.args[${j}]`));
    return { names, action, conditions };
  });
}

/** ABIs sharing an audit arch (x86_64 and x32) are told apart by the number, in one group. */
function groupByAuditArch(abis: SeccompAbi[]): SeccompAbi[][] {
  const groups = new Map<number, SeccompAbi[]>();
  for (const abi of abis) {
    const group = groups.get(abi.auditArch);
    if (group) group.push(abi);
    else groups.set(abi.auditArch, [abi]);
  }
  return [...groups.values()];
}

function emitAuditArch(asm: Assembler, group: SeccompAbi[], rules: Rule[], defaultAction: number): void {
  asm.load(seccompData.nr);
  if (group[0]!.auditArch !== AUDIT_ARCH_X86_64) {
    emitSearch(asm, plansFor(group[0]!, rules), group[0]!.argBits, defaultAction);
    return;
  }
  const x86_64 = group.find((abi) => abi.name === 'SCMP_ARCH_X86_64');
  const x32 = group.find((abi) => abi.name === 'SCMP_ARCH_X32');
  // x32 calls run as AUDIT_ARCH_X86_64: without this split they would meet the x86_64 rules.
  const x32Range = asm.label();
  asm.branch('ge', X32_SYSCALL_BIT, x32Range, null);
  if (x86_64) emitSearch(asm, plansFor(x86_64, rules), x86_64.argBits, defaultAction);
  else asm.ret(badArchAction);
  asm.bind(x32Range);
  if (x32) {
    emitSearch(asm, plansFor(x32, rules), x32.argBits, defaultAction);
    return;
  }
  // -1 is no x32 call: ptrace uses it to skip a call. libseccomp lets it through too.
  const minusOne = asm.label();
  asm.branch('eq', 0xffffffff, minusOne, null);
  asm.ret(badArchAction);
  asm.bind(minusOne);
  asm.ret(defaultAction);
}

/** The rules that apply to `abi`, by system call number, sorted by number. */
function plansFor(abi: SeccompAbi, rules: Rule[]): SyscallPlan[] {
  const plans = new Map<number, SyscallPlan>();
  for (const rule of rules) {
    const folded = rule.conditions.map((cond) => foldCondition(cond, abi.argBits));
    if (folded.includes('never')) continue;
    const conditions = rule.conditions.filter((_, i) => folded[i] === 'test');
    for (const name of rule.names) {
      const number = syscallNumber(abi.name, name);
      if (number === undefined) continue;
      const nr = abi.syscallBase + number;
      let plan = plans.get(nr);
      if (!plan) plans.set(nr, (plan = { nr, catchAll: undefined, conditional: [] }));
      if (conditions.length === 0) plan.catchAll ??= rule.action;
      else plan.conditional.push({ conditions, action: rule.action });
    }
  }
  return [...plans.values()].sort((a, b) => a.nr - b.nr);
}

/** A run of consecutive system call numbers that the filter treats alike. */
interface Segment {
  first: number;
  /** An action decided by the number alone, or the argument rules of one call. */
  outcome: { action: number } | { plan: SyscallPlan };
}

/**
 * Cuts the number space [0, 2^32) into segments: each call with argument rules is one, and
 * neighbouring numbers with the same action (gaps get the default action) merge into one.
 * An allow-list profile thus becomes a few dozen segments rather than hundreds of numbers.
 */
function segmentsOf(plans: SyscallPlan[], defaultAction: number): Segment[] {
  const segments: Segment[] = [];
  let next = 0;
  const add = (first: number, outcome: Segment['outcome']): void => {
    const last = segments[segments.length - 1];
    if (last && 'action' in last.outcome && 'action' in outcome && last.outcome.action === outcome.action) return;
    segments.push({ first, outcome });
  };
  for (const plan of plans) {
    if (plan.nr > next) add(next, { action: defaultAction });
    add(plan.nr, plan.catchAll !== undefined ? { action: plan.catchAll } : { plan });
    next = plan.nr + 1;
  }
  if (next <= 0xffffffff) add(next, { action: defaultAction });
  return segments;
}

/**
 * Expects the number in A; every path ends in a return. A binary search over the segments
 * (JGE on their first numbers) jumps straight to one shared return per action, or to the
 * argument rules of one call; those follow the search, so that the returns stay near it.
 */
function emitSearch(asm: Assembler, plans: SyscallPlan[], argBits: 32 | 64, defaultAction: number): void {
  const segments = segmentsOf(plans, defaultAction);
  if (segments.length === 1) {
    asm.ret((segments[0]!.outcome as { action: number }).action);
    return;
  }
  const returns = new Map<number, Label>();
  const ruleChains: { plan: SyscallPlan; label: Label }[] = [];
  const leafLabel = (segment: Segment): Label => {
    const { outcome } = segment;
    if ('plan' in outcome) {
      const label = asm.label();
      ruleChains.push({ plan: outcome.plan, label });
      return label;
    }
    let label = returns.get(outcome.action);
    if (!label) returns.set(outcome.action, (label = asm.label()));
    return label;
  };
  const emitNode = (range: Segment[]): void => {
    const middle = Math.ceil(range.length / 2);
    const lower = range.slice(0, middle);
    const upper = range.slice(middle);
    const upperLabel = upper.length === 1 ? leafLabel(upper[0]!) : asm.label();
    const lowerLabel = lower.length === 1 ? leafLabel(lower[0]!) : null;
    asm.branch('ge', upper[0]!.first, upperLabel, lowerLabel);
    if (lower.length > 1) emitNode(lower);
    if (upper.length > 1) {
      asm.bind(upperLabel);
      emitNode(upper);
    }
  };
  emitNode(segments);
  for (const [action, label] of returns) {
    asm.bind(label);
    asm.ret(action);
  }
  for (const { plan, label } of ruleChains) {
    asm.bind(label);
    for (const rule of plan.conditional) {
      const next = asm.label();
      for (const cond of rule.conditions) emitCondition(asm, cond, argBits, next);
      asm.ret(rule.action);
      asm.bind(next);
    }
    asm.ret(defaultAction);
  }
}
