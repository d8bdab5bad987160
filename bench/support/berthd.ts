// A private berthd for the benchmarks: its own data root, exec root and socket under a directory
// the caller owns, its own default bridge and subnets (as the integration tests' daemons have, so
// that it never meets the host's networks or another berthd's), in its own process group; and the
// removal of what it leaves on the host: containers of a berthd that died or was killed, its
// default bridge with its filter rules, and the CNI portmap chains once no port is published.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { releasePortmapChains } from '../../src/daemon/engine/network/firewall.js';
import { removeHostBridge } from '../../src/daemon/engine/network/network-service.js';
import { packageRoot } from '../../src/paths.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { exec } from './commands.js';
import type { Client } from './docker-cli.js';

const berthdBin = join(packageRoot, 'bin', 'berthd');

export interface Berthd {
  child: ChildProcess;
  /** unix://… of its socket. */
  host: string;
  execRoot: string;
  /** Its default bridge's device. */
  bridge: string;
  /** What it wrote to stderr so far. */
  output: () => string;
}

export function launchBerthd(dir: string): Berthd {
  const execRoot = join(dir, 'berth-run');
  const host = `unix://${join(dir, 'berth.sock')}`;
  // Away from berthd's defaults (10.213/16, 10.214/16) and from the test daemons' (10.220-239).
  const [a, b, c] = randomBytes(3);
  const bridge = `bbench${randomBytes(3).toString('hex')}`;
  const bip = `10.${240 + (a! % 5)}.${b}.1/24`;
  const pool = `10.${245 + (a! % 5)}.${c! & 0xf0}.0/20`;
  // Its own process group: a Ctrl-C at the terminal reaches the bench, which stops it in order.
  const child = spawn(process.execPath, [berthdBin, '--data-root', join(dir, 'berth-data'), '--exec-root', execRoot, '-H', host,
    '--bridge', bridge, '--bip', bip, '--default-address-pool', `base=${pool},size=24`],
  { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d));
  return { child, host, execRoot, bridge, output: () => output };
}

/** Waits until `version` through `ping` answers (30 s), or throws with what berthd wrote. */
export async function waitForBerthd(d: Berthd, ping: Client): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (d.child.exitCode !== null || d.child.signalCode !== null) throw new Error(`berthd exited during start:\n${d.output()}`);
    if ((await exec(ping.file, [...ping.args, 'version', '--format', '{{.Server.Version}}'], ping.env)).status === 0) return;
    if (Date.now() > deadline) throw new Error(`berthd did not answer within 30 s:\n${d.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * After berthd stopped: deletes, through the runtime's state, the containers it left running; then
 * its default bridge (berthd keeps it, as dockerd keeps docker0) and the portmap chains.
 */
export async function removeBerthLeftovers(d: Berthd): Promise<void> {
  const runtime = new Runtime({ root: join(d.execRoot, 'runtime') });
  for (const state of await runtime.list().catch(() => [])) await runtime.delete(state.id, { force: true }).catch(() => {});
  await removeHostBridge({ bridge: d.bridge, internal: false }).catch(() => {});
  await releasePortmapChains().catch(() => {});
}
