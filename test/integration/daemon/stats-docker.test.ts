// `GET /containers/{id}/stats` judged by the real docker CLI (v28) and read raw: CPU, memory
// (usage without the page cache, the limit), PIDs, network and block I/O of busybox
// containers; a stopped container's zeroed object; the stream's pace and precpu; one-shot.
// Network traffic goes only to the test daemon's own bridge address.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestDaemon, daemonForSuite, dockerCli, hasDockerCli } from '../../support/daemon.js';

const skip = hasDockerCli ? false : `${dockerCli} is missing: the docker CLI compatibility tests cannot run`;
const MiB = 1024 * 1024;

/** docker's units ("20.5MiB", "1.2kB", "0B") back to bytes. */
function bytes(text: string): number {
  const m = /^([\d.]+)\s*([a-zA-Z]*)$/.exec(text.trim());
  assert.ok(m, `not a size: ${text}`);
  const units: Record<string, number> = {
    B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, KiB: 1024, MiB: MiB, GiB: 1024 * MiB,
  };
  assert.ok(m[2]! in units, `unknown unit in ${text}`);
  return Number(m[1]) * units[m[2]!]!;
}

interface StatsObject {
  read: string;
  preread: string;
  cpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage?: number };
  memory_stats: { usage?: number; limit?: number; stats?: Record<string, number> };
  pids_stats: { current?: number };
  networks?: Record<string, { rx_bytes: number; tx_bytes: number; rx_packets: number; tx_packets: number }>;
  name: string;
  id: string;
}

describe('berthd with the docker CLI: stats', { skip }, () => {
  const suite = daemonForSuite();
  let daemon: TestDaemon;
  beforeEach(() => {
    daemon = suite.daemon;
  });

  const docker = (args: string[]) => daemon.docker(args);
  const run = (name: string, args: string[]) => {
    const r = docker(['run', '-d', '--name', name, ...args]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const rm = (...names: string[]) => docker(['rm', '-f', ...names]);
  /** One `docker stats --no-stream` line for the container, with the CLI's own arithmetic. */
  const statsLine = (name: string) => {
    const r = docker(['stats', '--no-stream', '--format', '{{.CPUPerc}}|{{.MemUsage}}|{{.NetIO}}|{{.BlockIO}}|{{.PIDs}}', name]);
    assert.equal(r.status, 0, r.stderr);
    const [cpu = '', mem = '', net = '', block = '', pids = ''] = r.stdout.trim().split('|');
    const [memUsage = '', memLimit = ''] = mem.split(' / ');
    const [netRx = '', netTx = ''] = net.split(' / ');
    return { cpu: Number(cpu.replace('%', '')), memUsage: bytes(memUsage), memLimit: bytes(memLimit), netRx: bytes(netRx), netTx: bytes(netTx), block, pids: Number(pids) };
  };
  const api = async (name: string, query: string) => {
    const r = await daemon.request('GET', `/containers/${name}/stats?${query}`);
    assert.equal(r.status, 200, r.body);
    return r.json<StatsObject>();
  };
  const gateway = () => daemon.bip.split('/')[0]!;

  it('shows a busy container above 10% CPU, and an idle one near 0', async () => {
    const busy = daemon.name('busy');
    const idle = daemon.name('idle');
    try {
      run(busy, ['--network', 'none', 'busybox', 'sh', '-c', 'while :; do :; done']);
      run(idle, ['--network', 'none', 'busybox', 'sleep', '600']);
      let cpu = 0;
      for (let i = 0; i < 10 && cpu <= 10; i++) {
        cpu = statsLine(busy).cpu;
        if (cpu <= 10) await sleep(300);
      }
      assert.ok(cpu > 10, `busy container at ${cpu}%`);
      assert.ok(statsLine(idle).cpu < 5, 'idle container');
      const s = await api(busy, 'stream=false');
      assert.ok(s.cpu_stats.online_cpus! >= 1);
      assert.ok(s.cpu_stats.system_cpu_usage! > s.precpu_stats.system_cpu_usage!, 'system CPU advances between the samples');
      assert.ok(s.cpu_stats.cpu_usage.total_usage > s.precpu_stats.cpu_usage.total_usage, 'container CPU advances');
    } finally {
      rm(busy, idle);
    }
  });

  it('shows memory usage without the page cache, the -m limit, and the host memory without one', async () => {
    const hog = daemon.name('hog');
    const plain = daemon.name('plain');
    try {
      // The shell holds ~20 MB in x; the command after sleep keeps it from exec'ing sleep in its place.
      run(hog, ['--network', 'none', '-m', '64m', 'busybox', 'sh', '-c', 'x=$(head -c 20000000 /dev/zero | tr "\\0" a); touch /tmp/ready; sleep 600; echo "$x" >/dev/null']);
      run(plain, ['--network', 'none', 'busybox', 'sleep', '600']);
      for (let i = 0; i < 100 && docker(['exec', hog, 'test', '-e', '/tmp/ready']).status !== 0; i++) await sleep(100);
      const line = statsLine(hog);
      assert.ok(line.memUsage > 15 * MiB, `usage ${line.memUsage}`);
      assert.ok(line.memUsage < 64 * MiB, `usage ${line.memUsage}`);
      assert.equal(line.memLimit, 64 * MiB);
      const s = await api(plain, 'stream=false');
      assert.equal(s.memory_stats.limit, totalmem());
      assert.ok(s.memory_stats.usage! > 0);
      // dockerd's keys for the hierarchy: the CLI subtracts total_inactive_file (v1) or inactive_file (v2).
      assert.ok('total_inactive_file' in s.memory_stats.stats! || 'inactive_file' in s.memory_stats.stats!);
      assert.ok(statsLine(plain).memUsage < 10 * MiB);
    } finally {
      rm(hog, plain);
    }
  });

  it('counts the processes of a container', () => {
    const name = daemon.name('pids');
    try {
      run(name, ['--network', 'none', 'busybox', 'sh', '-c', 'sleep 600 & sleep 600 & wait']);
      let pids = 0;
      for (let i = 0; i < 20 && pids !== 3; i++) pids = statsLine(name).pids;
      assert.equal(pids, 3);
    } finally {
      rm(name);
    }
  });

  it('shows the block I/O of direct writes', async () => {
    const name = daemon.name('blkio');
    try {
      run(name, ['--network', 'none', 'busybox', 'sh', '-c', 'dd if=/dev/zero of=/written bs=1M count=8 oflag=direct && touch /tmp/ready; sleep 600; :']);
      for (let i = 0; i < 100 && docker(['exec', name, 'test', '-e', '/tmp/ready']).status !== 0; i++) await sleep(100);
      const [, written = ''] = statsLine(name).block.split(' / ');
      assert.ok(bytes(written) >= 8 * MiB * 0.99, `block I/O written: ${written}`);
    } finally {
      rm(name);
    }
  });

  it('shows network I/O growing with traffic on its bridge, and none for --network none', async () => {
    const name = daemon.name('net');
    const none = daemon.name('nonet');
    try {
      run(name, ['busybox', 'sleep', '600']);
      run(none, ['--network', 'none', 'busybox', 'sleep', '600']);
      const before = await api(name, 'stream=false&one-shot=true');
      assert.deepEqual(Object.keys(before.networks ?? {}), ['eth0']);
      const ping = docker(['exec', name, 'ping', '-c', '5', '-i', '0.2', '-W', '2', gateway()]);
      assert.equal(ping.status, 0, ping.stdout + ping.stderr);
      const after = await api(name, 'stream=false&one-shot=true');
      const [b, a] = [before.networks!['eth0']!, after.networks!['eth0']!];
      assert.ok(a.tx_packets - b.tx_packets >= 5 && a.rx_packets - b.rx_packets >= 5, JSON.stringify({ b, a }));
      assert.ok(a.tx_bytes - b.tx_bytes >= 5 * 84, JSON.stringify({ b, a }));
      const line = statsLine(name);
      // The CLI rounds to three significant digits ("1.58kB").
      assert.ok(line.netRx >= a.rx_bytes * 0.99 && line.netTx >= a.tx_bytes * 0.99, JSON.stringify({ line, a }));
      assert.match(line.block, /^\S+ \/ \S+$/);

      const isolated = await api(none, 'stream=false&one-shot=true');
      assert.equal(isolated.networks, undefined);
      assert.equal(statsLine(none).netRx, 0);
    } finally {
      rm(name, none);
    }
  });

  it("answers dockerd's zeroed object for a stopped container", async () => {
    const name = daemon.name('stopped');
    try {
      const created = docker(['create', '--name', name, '--network', 'none', 'busybox', 'true']);
      assert.equal(created.status, 0, created.stderr);
      const id = created.stdout.trim();
      const zeroCpu = { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
      const nullBlkio = Object.fromEntries(['io_service_bytes_recursive', 'io_serviced_recursive', 'io_queue_recursive', 'io_service_time_recursive', 'io_wait_time_recursive', 'io_merged_recursive', 'io_time_recursive', 'sectors_recursive'].map((k) => [k, null]));
      const started = Date.now();
      assert.deepEqual(await api(name, 'stream=false'), {
        read: '0001-01-01T00:00:00Z', preread: '0001-01-01T00:00:00Z', pids_stats: {}, blkio_stats: nullBlkio,
        num_procs: 0, storage_stats: {}, cpu_stats: zeroCpu, precpu_stats: zeroCpu, memory_stats: {},
        name: `/${name}`, id,
      });
      assert.ok(Date.now() - started < 1000);
      const line = docker(['stats', '--no-stream', '--format', '{{.CPUPerc}} {{.MemUsage}}', name]);
      assert.equal(line.status, 0, line.stderr);
      assert.equal(line.stdout.trim(), '0.00% 0B / 0B');
      const missing = await daemon.request('GET', `/containers/${daemon.name('missing')}/stats?stream=false`);
      assert.equal(missing.status, 404);
    } finally {
      rm(name);
    }
  });

  it('streams one object a second, each with the one before as precpu; one-shot answers at once', async () => {
    const name = daemon.name('stream');
    try {
      run(name, ['--network', 'none', 'busybox', 'sh', '-c', 'while :; do :; done']);
      const objects = await streamObjects(daemon, `/containers/${name}/stats`, 4);
      assert.equal(objects.length, 4);
      for (let i = 1; i < objects.length; i++) {
        const [prev, cur] = [objects[i - 1]!, objects[i]!];
        assert.deepEqual(cur.object.precpu_stats, prev.object.cpu_stats);
        assert.equal(cur.object.preread, prev.object.read);
        const gap = Date.parse(cur.object.read) - Date.parse(prev.object.read);
        assert.ok(gap > 800 && gap < 1300, `objects ${gap} ms apart`);
        assert.ok(cur.at - prev.at > 700, `received ${cur.at - prev.at} ms apart`);
      }
      // The first object is primed: its precpu is a sample taken just before.
      assert.ok(objects[0]!.object.precpu_stats.system_cpu_usage! > 0);

      let started = Date.now();
      const oneShot = await api(name, 'stream=false&one-shot=true');
      assert.ok(Date.now() - started < 500, `one-shot took ${Date.now() - started} ms`);
      assert.equal(oneShot.preread, '0001-01-01T00:00:00Z');
      assert.deepEqual(oneShot.precpu_stats.cpu_usage, { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 });
      assert.ok(oneShot.cpu_stats.cpu_usage.total_usage > 0);

      started = Date.now();
      const single = await api(name, 'stream=false');
      assert.ok(Date.now() - started < 800, `stream=false took ${Date.now() - started} ms`);
      assert.ok(single.precpu_stats.cpu_usage.total_usage > 0);
      assert.ok(Date.parse(single.read) > Date.parse(single.preread));

      const both = await daemon.request('GET', `/containers/${name}/stats?stream=true&one-shot=true`);
      assert.equal(both.status, 400);
    } finally {
      rm(name);
    }
  });

  it('keeps streaming zeroed objects once the container stops, and ends the stream when it is removed', async () => {
    const name = daemon.name('follow');
    run(name, ['--network', 'none', 'busybox', 'sleep', '600']);
    const lines: StatsObject[] = [];
    let buffer = '';
    const ended = new Promise<void>((resolve, reject) => {
      const req = httpRequest({ socketPath: daemon.socket, method: 'GET', path: `/containers/${name}/stats` }, (res) => {
        res.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          for (let i; (i = buffer.indexOf('\n')) >= 0; buffer = buffer.slice(i + 1)) lines.push(JSON.parse(buffer.slice(0, i)) as StatsObject);
        });
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    try {
      for (let i = 0; i < 50 && lines.length < 1; i++) await sleep(100);
      assert.ok(lines[0]!.memory_stats.usage! > 0);
      assert.equal(docker(['kill', name]).status, 0);
      for (let i = 0; i < 50 && lines.at(-1)?.read !== '0001-01-01T00:00:00Z'; i++) await sleep(100);
      assert.equal(lines.at(-1)!.read, '0001-01-01T00:00:00Z');
      assert.deepEqual(lines.at(-1)!.memory_stats, {});
    } finally {
      rm(name);
    }
    const outcome = await Promise.race([ended.then(() => 'ended'), sleep(3000, 'still open', { ref: false })]);
    assert.equal(outcome, 'ended', 'the stream ends once the container is removed');
  });

  it('`docker stats` streams several containers with their CPU', async () => {
    const busy = daemon.name('sbusy');
    const idle = daemon.name('sidle');
    const child = spawn(dockerCli, ['stats', '--format', '{{.Name}} {{.CPUPerc}} {{.PIDs}}'], {
      env: { ...process.env, DOCKER_HOST: daemon.host, DOCKER_CONFIG: join(daemon.dir, 'docker-config') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      run(busy, ['--network', 'none', 'busybox', 'sh', '-c', 'while :; do :; done']);
      run(idle, ['--network', 'none', 'busybox', 'sleep', '600']);
      const seen = () => {
        // The CLI redraws the table (with terminal escapes) once a second.
        const lines = output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '\n').split('\n');
        const cpuOf = (n: string) => lines.filter((l) => l.startsWith(`${n} `)).map((l) => Number(l.split(' ')[1]!.replace('%', '')));
        return { busy: cpuOf(busy), idle: cpuOf(idle) };
      };
      for (let i = 0; i < 100 && !(seen().busy.some((c) => c > 10) && seen().idle.length > 1); i++) await sleep(100);
      assert.ok(seen().busy.some((c) => c > 10), output.slice(-2000));
      assert.ok(seen().idle.length > 1, output.slice(-2000));
    } finally {
      child.kill();
      rm(busy, idle);
    }
  });
});

/** The first `count` objects of a streamed answer, each with the time it arrived; then hangs up. */
function streamObjects(daemon: TestDaemon, path: string, count: number): Promise<Array<{ at: number; object: StatsObject }>> {
  return new Promise((resolve, reject) => {
    const objects: Array<{ at: number; object: StatsObject }> = [];
    let buffer = '';
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`only ${objects.length} objects in 10 s`));
    }, 10_000);
    const req = httpRequest({ socketPath: daemon.socket, method: 'GET', path }, (res) => {
      if (res.statusCode !== 200) {
        clearTimeout(timer);
        reject(new Error(`status ${res.statusCode}`));
        return;
      }
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let newline;
        while ((newline = buffer.indexOf('\n')) >= 0 && objects.length < count) {
          objects.push({ at: Date.now(), object: JSON.parse(buffer.slice(0, newline)) as StatsObject });
          buffer = buffer.slice(newline + 1);
        }
        if (objects.length >= count) {
          clearTimeout(timer);
          req.destroy();
          resolve(objects);
        }
      });
    });
    req.on('error', (err) => {
      if (objects.length < count) reject(err);
    });
    req.end();
  });
}
