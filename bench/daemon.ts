// npm run bench — berthd against Docker's daemon, side by side in one run (issue 4):
//   1. `run --rm --network none busybox true` latency: berth's CLI → berthd, the docker CLI → berthd, and the
//      docker CLI → a private dockerd (median and p90 after warm-ups, runs interleaved);
//   2. 50 × `run -d busybox sleep 600`, 10 at a time, through the docker CLI: total time, then
//      `rm -f` of them all;
//   3. memory per running container with 10 running: berth-monitor processes against
//      containerd-shim-runc-v2 processes (Pss when the kernel has smaps_rollup);
//   4. the daemons' idle RSS: berthd (node) against dockerd + containerd.
// Both daemons run on private sockets, data roots and exec roots under one temporary directory,
// each seeded with the same busybox image by `docker import` of the busybox fixture (no network).
// Targets are printed, not asserted; everything the bench made is removed even on failure or
// Ctrl-C.
//
//   BENCH_RUNS=40 npm run bench
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/paths.js';
import { requireFixtures } from '../test/support/fixtures.js';
import { launchBerthd, removeBerthLeftovers, waitForBerthd, type Berthd } from './support/berthd.js';
import { exec, firstLine, runBench } from './support/commands.js';
import { busyboxTar, checked, dockerCli, dockerClient, importBusybox, removeAllContainers, type Client } from './support/docker-cli.js';
import { describeMachine, log, removeBenchDir, run, stopProcess } from './support/host.js';
import { ensureDockerd, startPrivateDockerd, type PrivateDockerd } from './support/private-dockerd.js';
import { findProcesses, median, percentile, processMemory, sumMemory, type Memory } from './support/stats.js';
import { ratio, rowPrinter, verdict } from './support/table.js';

const runs = Number(process.env.BENCH_RUNS ?? 20);
const warmup = 2;
const burstCount = 50;
const burstParallel = 10;
const residentCount = 10;
const berthCli = join(packageRoot, 'bin', 'berth');

// ---- measurements ------------------------------------------------------------------------

interface Latency {
  times?: number[];
  unavailable?: string;
}

/** `run --rm busybox true` through each client, interleaved run by run so that load on the host falls on all alike. */
async function latency(clients: Client[]): Promise<Latency[]> {
  const out: Latency[] = clients.map(() => ({ times: [] }));
  const once = async (i: number) => {
    if (out[i]!.unavailable) return undefined;
    const r = await exec(clients[i]!.file, [...clients[i]!.args, 'run', '--rm', '--network', 'none', 'busybox', 'true'], clients[i]!.env);
    if (r.status !== 0) {
      out[i] = { unavailable: `exit ${r.status}: ${firstLine(r.stderr) || firstLine(r.stdout)}` };
      return undefined;
    }
    return r.ms;
  };
  for (let n = 0; n < warmup; n++) for (let i = 0; i < clients.length; i++) await once(i);
  for (let n = 0; n < runs; n++) {
    for (let i = 0; i < clients.length; i++) {
      const ms = await once(i);
      if (ms !== undefined) out[i]!.times!.push(ms);
    }
  }
  log('latency done');
  return out;
}

/** `count` × `run -d busybox sleep 600`, `parallel` at a time; the seconds it took and the container ids. */
async function startMany(client: Client, count: number, parallel: number, ids: string[]): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  const worker = async () => {
    while (next < count) {
      next++;
      ids.push((await checked(client, ['run', '-d', '--network', 'none', 'busybox', 'sleep', '600'])).stdout.trim());
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function removeAll(client: Client, ids: string[]): Promise<number> {
  const start = process.hrtime.bigint();
  if (ids.length) await checked(client, ['rm', '-f', ...ids]);
  ids.length = 0;
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const daemonMemory = (pids: Record<string, number | undefined>) =>
  Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid ? processMemory(pid) : undefined]));

interface Resident {
  processes: number;
  total: Memory;
  daemons: Record<string, Memory | undefined>;
}

async function resident(client: Client, ids: string[], program: string, root: string, daemonPids: Record<string, number | undefined>): Promise<Resident> {
  await startMany(client, residentCount, residentCount, ids);
  await new Promise((r) => setTimeout(r, 2000));
  const pids = findProcesses(program, root);
  const result = { processes: pids.length, total: sumMemory(pids), daemons: daemonMemory(daemonPids) };
  await removeAll(client, ids);
  return result;
}

// ---- the table ---------------------------------------------------------------------------

const MiB = (bytes: number | undefined, digits = 1) => (bytes === undefined ? 'n/a' : (bytes / 1048576).toFixed(digits));
const row = rowPrinter(52);

// ---- main --------------------------------------------------------------------------------

async function main(): Promise<void> {
  requireFixtures();
  const dockerd = ensureDockerd();
  if (!dockerd) throw new Error('docker.io could not be installed from Debian');

  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-daemon-'));
  mkdirSync(join(dir, 'docker-config'));
  mkdirSync(join(dir, 'berth-config'));
  let berthd: Berthd | undefined;
  let docker: PrivateDockerd | undefined;
  const ids = { berth: [] as string[], docker: [] as string[] };
  let toBerthd: Client | undefined;
  let toDockerd: Client | undefined;

  const cleanup = async () => {
    await Promise.all([removeAllContainers(toBerthd), removeAllContainers(toDockerd)]);
    if (berthd) await stopProcess(berthd.child).catch((err) => log(`stopping berthd: ${(err as Error).message}`));
    if (docker) await docker.stop().catch((err) => log(`stopping dockerd: ${(err as Error).message}`));
    // Whatever survived a daemon that died or was killed: berth's containers through its runtime
    // state, then any process, mount and file under the directory.
    if (berthd) await removeBerthLeftovers(berthd);
    removeBenchDir(dir);
  };

  try {
    // Both daemons, both seeded with the same busybox image.
    const tar = busyboxTar(dir);
    berthd = launchBerthd(dir);
    toBerthd = dockerClient('docker CLI → berthd', berthd.host, join(dir, 'docker-config'));
    await waitForBerthd(berthd, toBerthd);
    docker = await startPrivateDockerd(dockerd, dir, { client: dockerCli });
    toDockerd = dockerClient('docker CLI → dockerd', docker.host, docker.configDir);
    const berthToBerthd: Client = {
      name: 'berth CLI → berthd', file: berthCli, args: ['--config', join(dir, 'berth-config'), '-H', berthd.host],
      env: { ...process.env, BERTH_HOST: berthd.host, BERTH_NO_AUTOSTART: '1' },
    };
    for (const client of [toBerthd, toDockerd]) await importBusybox(client, tar);
    log('busybox imported into both daemons');

    const berthdVersion = (await checked(toBerthd, ['version', '--format', '{{.Server.Version}} (API {{.Server.APIVersion}})'])).stdout.trim();
    const dockerVersions = (await checked(toDockerd, ['version', '--format', '{{.Client.Version}}|{{.Server.Version}} (API {{.Server.APIVersion}})'])).stdout.trim().split('|');
    const containerdVersion = firstLine(run('containerd', ['--version'])).split(' ')[2] ?? '?';

    const berthPids = { berthd: berthd.child.pid };
    const dockerPids = () => ({ dockerd: docker!.child.pid, containerd: docker!.containerdPid() });
    await new Promise((r) => setTimeout(r, 3000));
    const idleBefore = { berth: daemonMemory(berthPids), docker: daemonMemory(dockerPids()) };

    const [berthCliLatency, berthdLatency, dockerdLatency] = await latency([berthToBerthd, toBerthd, toDockerd]);

    const burstBerth = await startMany(toBerthd, burstCount, burstParallel, ids.berth);
    const removeBerth = await removeAll(toBerthd, ids.berth);
    const burstDocker = await startMany(toDockerd, burstCount, burstParallel, ids.docker);
    const removeDocker = await removeAll(toDockerd, ids.docker);
    log('start burst done');

    const monitors = await resident(toBerthd, ids.berth, 'berth-monitor', berthd.execRoot, berthPids);
    const shims = await resident(toDockerd, ids.docker, 'containerd-shim-runc-v2', docker.execRoot, dockerPids());
    log('memory done');
    await new Promise((r) => setTimeout(r, 3000));
    const idleAfter = { berth: daemonMemory(berthPids), docker: daemonMemory(dockerPids()) };

    // ---- print ----
    console.log(`\n${describeMachine()}`);
    console.log(`versions: node ${process.version}, docker CLI ${dockerVersions[0]}, dockerd ${dockerVersions[1]}, containerd ${containerdVersion}, berthd ${berthdVersion}`);
    console.log(`image: busybox fixture, \`docker import\`ed into both daemons; containers run with --network none on both (dockerd has --bridge=none; networking is measured by bench:network)\n`);
    row('', 'berth', 'docker', 'b/d', 'target');

    console.log(`run --rm --network none busybox true, ${runs} runs after ${warmup} warm-ups (ms)`);
    const lat = (l: Latency | undefined, f: (xs: number[]) => number) => (l?.times?.length ? f(l.times) : undefined);
    const ms = (v: number | undefined) => (v === undefined ? 'n/a' : v.toFixed(1));
    const dMed = lat(dockerdLatency, median);
    const dP90 = lat(dockerdLatency, (xs) => percentile(xs, 0.9));
    const bMed = lat(berthdLatency, median);
    const bP90 = lat(berthdLatency, (xs) => percentile(xs, 0.9));
    const cMed = lat(berthCliLatency, median);
    const cP90 = lat(berthCliLatency, (xs) => percentile(xs, 0.9));
    const latencyRatio = bMed !== undefined && dMed ? bMed / dMed : undefined;
    row('  docker CLI → berthd | → dockerd, median', ms(bMed), ms(dMed), ratio(bMed, dMed), `≤ 0.25x: ${verdict(latencyRatio, 0.25, true)}`);
    row('  docker CLI → berthd | → dockerd, p90', ms(bP90), ms(dP90), ratio(bP90, dP90));
    row('  berth CLI → berthd | docker CLI → dockerd, median', ms(cMed), ms(dMed), ratio(cMed, dMed));
    row('  berth CLI → berthd | docker CLI → dockerd, p90', ms(cP90), ms(dP90), ratio(cP90, dP90));

    console.log(`${burstCount} × run -d busybox sleep 600, ${burstParallel} at a time, docker CLI`);
    const throughputRatio = burstDocker / burstBerth;
    row('  total (s)', burstBerth.toFixed(2), burstDocker.toFixed(2), ratio(burstBerth, burstDocker));
    row('  starts per second', (burstCount / burstBerth).toFixed(1), (burstCount / burstDocker).toFixed(1), `${throughputRatio.toFixed(2)}x`, `≥ 4x: ${verdict(throughputRatio, 4, false)}`);
    row(`  rm -f of all ${burstCount} (s)`, removeBerth.toFixed(2), removeDocker.toFixed(2), ratio(removeBerth, removeDocker));

    const usePss = monitors.total.pss !== undefined && shims.total.pss !== undefined;
    const kind = usePss ? 'Pss' : 'RSS';
    const per = (r: Resident, pss: boolean) => (pss ? r.total.pss : r.total.rss)! / residentCount;
    console.log(`memory per running container, ${residentCount} running (MiB; berth-monitor | containerd-shim-runc-v2)`);
    const memRatio = per(monitors, usePss) / per(shims, usePss);
    row(`  ${kind} sum / ${residentCount}`, MiB(per(monitors, usePss), 2), MiB(per(shims, usePss), 2), ratio(per(monitors, usePss), per(shims, usePss)), `≤ 0.10x: ${verdict(memRatio, 0.1, true)}`);
    if (usePss) row(`  RSS sum / ${residentCount}`, MiB(per(monitors, false), 2), MiB(per(shims, false), 2), ratio(per(monitors, false), per(shims, false)));
    row('  processes found', String(monitors.processes), String(shims.processes));

    const daemonRows = (title: string, m: { berth: Record<string, Memory | undefined>; docker: Record<string, Memory | undefined> }) => {
      console.log(title);
      const b = m.berth.berthd?.rss;
      const dd = m.docker.dockerd?.rss;
      const cd = m.docker.containerd?.rss;
      const sum = dd !== undefined && cd !== undefined ? dd + cd : undefined;
      row('  berthd | dockerd + containerd', MiB(b), MiB(sum), ratio(b, sum));
      row('  berthd | dockerd', MiB(b), MiB(dd), ratio(b, dd));
      row('         | containerd', '', MiB(cd));
    };
    daemonRows('daemon RSS, idle after start and import (MiB)', idleBefore);
    daemonRows(`daemon RSS with ${residentCount} containers running (MiB)`, { berth: monitors.daemons, docker: shims.daemons });
    daemonRows('daemon RSS, idle after the runs (MiB)', idleAfter);

    for (const [name, l] of [['berth CLI → berthd', berthCliLatency], ['docker CLI → berthd', berthdLatency], ['docker CLI → dockerd', dockerdLatency]] as const) {
      if (l?.unavailable) console.log(`\n${name}: n/a — ${l.unavailable}`);
    }
  } finally {
    await cleanup();
  }
}

await runBench(main);
