// `GET /containers/{id}/stats`: samples of a container (its cgroup through the runtime, the
// host's CPU time, its interfaces' counters) sent as Docker's stats objects (stats-json.ts).
//
// stream=true (the default) sends one object a second, each with the one before it as its
// precpu_stats, as dockerd's collector does. stream=false answers with one object. dockerd
// waits for its collector's second tick (up to 2 s) so that precpu is not empty; berth instead
// takes a precpu sample PRIMING_MS (100 ms) before the one it answers with, and keeps no
// samples between requests: the answer comes in ~100 ms, and the docker CLI's CPU % is the
// average over those 100 ms (coarser than over a second: /proc/stat counts 10 ms ticks). The
// first streamed object is primed the same way, so its CPU % is not empty either. With
// one-shot=true (and stream=false) one sample is answered at once, precpu empty, as dockerd.
// A container that is not running gets dockerd's zeroed object: only its name and id.
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerContext } from './context.js';
import { runtimeFor } from './container-runtime.js';
import type { ContainerRecord } from './record.js';
import { normalNetworkMode } from '../network/container-networking.js';
import { dockerStats, parseNetDev, parseProcStat, type DockerNetworkStats, type DockerStats, type StatsSample } from './stats-json.js';

export interface StatsOptions {
  stream: boolean;
  oneShot: boolean;
}

/** How long before the answered sample its precpu sample is taken (stream=false, first streamed). */
export const PRIMING_MS = 100;
/** One streamed object per second, as dockerd's collector. */
export const STREAM_INTERVAL_MS = 1000;

const isRunning = (record: ContainerRecord | undefined): record is ContainerRecord =>
  record?.state.status === 'running' || record?.state.status === 'paused';

/**
 * The interfaces the container's stats report: those of its endpoints, in its own namespace or
 * in the one of the container it shares (`container:<id>`); none for the host's namespace.
 */
function interfacesOf(ctx: ContainerContext, record: ContainerRecord): Set<string> | undefined {
  let owner: ContainerRecord | undefined = record;
  for (let hops = 0; owner && hops < 8; hops++) {
    const mode = normalNetworkMode(owner.hostConfig.NetworkMode);
    if (mode === 'host') return undefined;
    if (!mode.startsWith('container:')) break;
    try {
      owner = ctx.store.find(mode.slice('container:'.length));
    } catch {
      return undefined;
    }
  }
  const names = Object.values(owner?.network?.endpoints ?? {}).map((e) => e.ifName);
  return names.length > 0 ? new Set(names) : undefined;
}

function networkStats(ctx: ContainerContext, record: ContainerRecord): Record<string, DockerNetworkStats> | undefined {
  const interfaces = interfacesOf(ctx, record);
  if (!interfaces || !record.state.pid) return undefined;
  try {
    // The file shows the namespace of the process that reads it through /proc/<pid>.
    return parseNetDev(readFileSync(`/proc/${record.state.pid}/net/dev`, 'utf8'), interfaces);
  } catch {
    return undefined; // exited meanwhile
  }
}

/** One sample of a running container; undefined once it is not running. */
async function sample(ctx: ContainerContext, id: string): Promise<StatsSample | undefined> {
  const record = ctx.store.find(id);
  if (!isRunning(record)) return undefined;
  let cgroup;
  try {
    cgroup = (await runtimeFor(ctx, record).stats(record.id)).data;
  } catch (err) {
    if (!isRunning(ctx.store.find(id))) return undefined; // stopped while it was read
    throw err;
  }
  // Read right after the cgroup, so that the CLI's cpu and system deltas cover the same time.
  // Both files are made by the kernel on read: the synchronous reads never wait on a disk.
  const system = parseProcStat(readFileSync('/proc/stat', 'utf8'));
  return { read: new Date().toISOString(), cgroup, system, hostMemory: totalmem(), networks: networkStats(ctx, record) };
}

/**
 * Sends the container's stats objects to `send` as the options ask: one, or one a second until
 * `closed()` or the container's removal. Throws NotFound, before sending anything, for a
 * container that does not exist.
 */
export async function containerStats(
  ctx: ContainerContext,
  nameOrId: string,
  options: StatsOptions,
  send: (stats: DockerStats) => void,
  closed: () => boolean,
): Promise<void> {
  const id = ctx.store.get(nameOrId).id;
  let previous: StatsSample | undefined;
  if (!options.oneShot) {
    previous = await sample(ctx, id);
    if (previous) await sleep(PRIMING_MS);
  }
  let due = Date.now();
  for (let sent = false; ; sent = true) {
    // A removed container's stream ends, as dockerd's does.
    const record = sent ? ctx.store.find(id) : ctx.store.get(id);
    if (!record || closed()) return;
    const current = await sample(ctx, id);
    if (closed()) return;
    send(dockerStats({ id, name: `/${record.name}` }, current, previous));
    if (!options.stream) return;
    previous = current;
    due += STREAM_INTERVAL_MS;
    await sleep(Math.max(0, due - Date.now()));
  }
}
