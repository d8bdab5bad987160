// iptables as berth uses it: idempotent chains and rules, so that a restarted berthd or a
// repeated set-up never duplicates a rule. `-w` waits for the xtables lock that Docker, the CNI
// plugins and berth share.
import { CommandFailed, runCommand } from '../../../system/command.js';

export type Table = 'filter' | 'nat';

function iptables(table: Table, args: readonly string[]): Promise<string> {
  return runCommand('iptables', ['-w', '-t', table, ...args]);
}

export async function ruleExists(table: Table, chain: string, rule: readonly string[]): Promise<boolean> {
  try {
    await iptables(table, ['-C', chain, ...rule]);
    return true;
  } catch (err) {
    // Exit status 1: no such rule; nf_tables' iptables says 2 when the rule's target chain is gone.
    if (err instanceof CommandFailed && (err.exitCode === 1 || /does not exist|No chain/.test(err.stderr))) return false;
    throw err;
  }
}

export async function chainExists(table: Table, chain: string): Promise<boolean> {
  try {
    await iptables(table, ['-S', chain]);
    return true;
  } catch (err) {
    if (err instanceof CommandFailed && err.exitCode === 1) return false;
    throw err;
  }
}

export async function ensureChain(table: Table, chain: string): Promise<void> {
  if (!(await chainExists(table, chain))) await iptables(table, ['-N', chain]);
}

/** Adds the rule unless present: appended, or first in the chain when `first`. */
export async function ensureRule(table: Table, chain: string, rule: readonly string[], first = false): Promise<void> {
  if (await ruleExists(table, chain, rule)) return;
  await iptables(table, first ? ['-I', chain, '1', ...rule] : ['-A', chain, ...rule]);
}

export async function deleteRule(table: Table, chain: string, rule: readonly string[]): Promise<void> {
  while (await ruleExists(table, chain, rule)) await iptables(table, ['-D', chain, ...rule]);
}

/** The chain's rules as `iptables -S` prints them, without its own -N/-P line. */
export async function chainRules(table: Table, chain: string): Promise<string[]> {
  if (!(await chainExists(table, chain))) return [];
  return (await iptables(table, ['-S', chain])).split('\n').filter((line) => line.startsWith('-A '));
}

export async function deleteChain(table: Table, chain: string): Promise<void> {
  if (!(await chainExists(table, chain))) return;
  await iptables(table, ['-F', chain]);
  await iptables(table, ['-X', chain]);
}
