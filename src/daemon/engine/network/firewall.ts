// berth's filter rules for its bridges, in its own chains jumped to first from FORWARD (so a
// host whose FORWARD policy is DROP, as Docker leaves it, still forwards berth's traffic):
// - BERTH-ISOLATION-1/-2 drop traffic from one berth bridge to another (Docker's two-stage
//   isolation), except connections to a published port (DNAT), which any container may reach;
//   an internal network drops everything that leaves or enters its bridge.
// - BERTH-FORWARD accepts what leaves a bridge, and what enters it as a reply or a published port.
// Outbound NAT is the CNI bridge plugin's (ipMasq), per container.
import { chainExists, chainRules, deleteChain, deleteRule, ensureChain, ensureRule } from './iptables.js';

const forwardChain = 'BERTH-FORWARD';
const isolationChain = 'BERTH-ISOLATION-1';
const isolationTargets = 'BERTH-ISOLATION-2';

export interface FirewalledBridge {
  bridge: string;
  internal: boolean;
}

const dnatExemption = ['-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'RETURN'];

async function ensureBaseChains(): Promise<void> {
  for (const chain of [forwardChain, isolationChain, isolationTargets]) await ensureChain('filter', chain);
  await ensureRule('filter', isolationChain, dnatExemption, true);
  await ensureRule('filter', forwardChain, ['-j', isolationChain], true);
  await ensureRule('filter', 'FORWARD', ['-j', forwardChain], true);
}

function bridgeRules({ bridge, internal }: FirewalledBridge): Array<[string, string[]]> {
  if (internal) {
    return [
      [isolationChain, ['-i', bridge, '!', '-o', bridge, '-j', 'DROP']],
      [isolationChain, ['!', '-i', bridge, '-o', bridge, '-j', 'DROP']],
      [forwardChain, ['-i', bridge, '-o', bridge, '-j', 'ACCEPT']],
    ];
  }
  return [
    [isolationChain, ['-i', bridge, '!', '-o', bridge, '-j', isolationTargets]],
    [isolationTargets, ['-o', bridge, '-j', 'DROP']],
    [forwardChain, ['-o', bridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']],
    [forwardChain, ['-o', bridge, '-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'ACCEPT']],
    [forwardChain, ['-i', bridge, '-j', 'ACCEPT']],
  ];
}

/** Idempotent: run at network creation and again at every berthd start. */
export async function installBridgeRules(net: FirewalledBridge): Promise<void> {
  await ensureBaseChains();
  for (const [chain, rule] of bridgeRules(net)) await ensureRule('filter', chain, rule);
}

/** Removes the bridge's rules; berth's chains go with the last bridge. */
export async function removeBridgeRules(net: FirewalledBridge): Promise<void> {
  for (const [chain, rule] of bridgeRules(net)) await deleteRule('filter', chain, rule);
  const own = await chainRules('filter', forwardChain);
  if (own.length <= 1 && (await chainRules('filter', isolationTargets)).length === 0) {
    await deleteRule('filter', 'FORWARD', ['-j', forwardChain]);
    for (const chain of [forwardChain, isolationChain, isolationTargets]) await deleteChain('filter', chain);
  }
}

// The CNI portmap plugin's shared chains, which it makes on first use and never removes.
const portmapJumps: Array<[string, string[]]> = [
  ['PREROUTING', ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'CNI-HOSTPORT-DNAT']],
  ['OUTPUT', ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'CNI-HOSTPORT-DNAT']],
  ['POSTROUTING', ['-m', 'comment', '--comment', 'CNI portfwd requiring masquerade', '-j', 'CNI-HOSTPORT-MASQ']],
];

/**
 * After the last published port on the host is gone, portmap's chains go too (the plugin makes
 * them again at its next use), so that nothing of berth stays in the host's NAT table.
 */
export async function releasePortmapChains(): Promise<void> {
  if (!(await chainExists('nat', 'CNI-HOSTPORT-DNAT')) || (await chainRules('nat', 'CNI-HOSTPORT-DNAT')).length > 0) return;
  for (const [chain, rule] of portmapJumps) await deleteRule('nat', chain, rule);
  for (const chain of ['CNI-HOSTPORT-DNAT', 'CNI-HOSTPORT-MASQ', 'CNI-HOSTPORT-SETMARK']) await deleteChain('nat', chain);
}
