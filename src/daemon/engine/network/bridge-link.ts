// The Linux bridge behind a bridge network, made by berthd when the network is made (not at
// its first container), so that the network's gateway address exists for its DNS server.
import { CommandFailed, runCommand } from '../../../system/command.js';

export async function linkExists(name: string): Promise<boolean> {
  try {
    await runCommand('ip', ['link', 'show', 'dev', name]);
    return true;
  } catch (err) {
    if (err instanceof CommandFailed) return false;
    throw err;
  }
}

/** Creates the bridge if missing, gives it the gateway address, and brings it up. */
export async function ensureBridge(name: string, gatewayCidr: string): Promise<void> {
  if (!(await linkExists(name))) await runCommand('ip', ['link', 'add', 'name', name, 'type', 'bridge']);
  await runCommand('ip', ['addr', 'replace', gatewayCidr, 'dev', name]);
  await runCommand('ip', ['link', 'set', 'dev', name, 'up']);
}

export async function deleteBridge(name: string): Promise<void> {
  if (await linkExists(name)) await runCommand('ip', ['link', 'del', 'dev', name]);
}

/** IPv4 routes of the host (the subnets a new network must not overlap). */
export async function hostRouteDestinations(): Promise<string[]> {
  const routes = JSON.parse(await runCommand('ip', ['-j', '-4', 'route', 'show', 'table', 'all'])) as Array<{ dst?: string; type?: string }>;
  return routes
    .filter((r) => r.dst && r.dst !== 'default' && (r.type === undefined || r.type === 'unicast'))
    .map((r) => (r.dst!.includes('/') ? r.dst! : `${r.dst}/32`));
}
