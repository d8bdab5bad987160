// berth's filter rules for its bridges, in its own chains jumped to first from FORWARD (so a
// host whose FORWARD policy is DROP, as Docker leaves it, still forwards berth's traffic):
// - BERTH-ISOLATION-1/-2 drop traffic from one berth bridge to another (Docker's two-stage
//   isolation), except connections to a published port (DNAT), which any container may reach;
//   an internal network drops everything that leaves or enters its bridge.
// - BERTH-FORWARD accepts what leaves a bridge, and what enters it as a reply or a published port.
// - BERTH-POSTROUTING masquerades what leaves a non-internal network for elsewhere: one rule per
//   network, as Docker has, rather than the CNI bridge plugin's chain per container (ipMasq),
//   which costs several iptables runs at every container start and stop.
import { chainExists, chainRules, deleteChain, deleteRule, ensureChain, ensureRule } from './iptables.js';

const forwardChain = 'BERTH-FORWARD';
const isolationChain = 'BERTH-ISOLATION-1';
const isolationTargets = 'BERTH-ISOLATION-2';
const masqueradeChain = 'BERTH-POSTROUTING';

export interface FirewalledBridge {
  bridge: string;
  internal: boolean;
  /** Its IPv4 subnet, masqueraded on the way out unless internal. */
  subnet?: string | undefined;
}

const dnatExemption = ['-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'RETURN'];

async function ensureBaseChains(): Promise<void> {
  for (const chain of [forwardChain, isolationChain, isolationTargets]) await ensureChain('filter', chain);
  await ensureRule('filter', isolationChain, dnatExemption, true);
  await ensureRule('filter', forwardChain, ['-j', isolationChain], true);
  await ensureRule('filter', 'FORWARD', ['-j', forwardChain], true);
  await ensureChain('nat', masqueradeChain);
  await ensureRule('nat', 'POSTROUTING', ['-j', masqueradeChain]);
}

function masqueradeRule(net: FirewalledBridge): string[] | undefined {
  return net.internal || !net.subnet ? undefined : ['-s', net.subnet, '!', '-o', net.bridge, '-j', 'MASQUERADE'];
}

/** Traffic between two containers of one bridge, accepted before any other rule is tried. */
function sameBridgeRule(bridge: string): string[] {
  return ['-i', bridge, '-o', bridge, '-j', 'ACCEPT'];
}

function bridgeRules({ bridge, internal }: FirewalledBridge): Array<[string, string[]]> {
  if (internal) {
    return [
      [isolationChain, ['-i', bridge, '!', '-o', bridge, '-j', 'DROP']],
      [isolationChain, ['!', '-i', bridge, '-o', bridge, '-j', 'DROP']],
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
  // Where the host passes bridged frames through iptables (br_netfilter), the busiest traffic
  // meets one rule rather than the chain.
  await ensureRule('filter', forwardChain, sameBridgeRule(net.bridge), true);
  for (const [chain, rule] of bridgeRules(net)) await ensureRule('filter', chain, rule);
  const masquerade = masqueradeRule(net);
  if (masquerade) await ensureRule('nat', masqueradeChain, masquerade);
}

/** Removes the bridge's rules; berth's chains go with the last bridge. */
export async function removeBridgeRules(net: FirewalledBridge): Promise<void> {
  for (const [chain, rule] of bridgeRules(net)) await deleteRule('filter', chain, rule);
  await deleteRule('filter', forwardChain, sameBridgeRule(net.bridge));
  // Found by the bridge's name, so that the subnet need not be known (tests, benches).
  for (const line of await chainRules('nat', masqueradeChain)) {
    const rule = line.split(' ').slice(2);
    if (line.includes(` ! -o ${net.bridge} `)) await deleteRule('nat', masqueradeChain, rule);
  }
  const own = await chainRules('filter', forwardChain);
  if (own.length <= 1 && (await chainRules('filter', isolationTargets)).length === 0) {
    await deleteRule('filter', 'FORWARD', ['-j', forwardChain]);
    for (const chain of [forwardChain, isolationChain, isolationTargets]) await deleteChain('filter', chain);
    await deleteRule('nat', 'POSTROUTING', ['-j', masqueradeChain]);
    await deleteChain('nat', masqueradeChain);
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
