// npm run bench:network — container networking of berthd against Docker's daemon, both driven by
// the real docker CLI, one engine after the other in one run:
//   1. TCP throughput container → container on one user-defined bridge network: iperf3 (Debian's,
//      installed when missing) run from the host inside each container's network namespace
//      (nsenter --net), server in A's, client in B's to A's address — the engine's veth/bridge path;
//   2. TCP throughput host → a port published on 127.0.0.1 (`-p 127.0.0.1:PORT:5201`), iperf3
//      server in the container's namespace, client on the host (dockerd: through docker-proxy);
//   3. connections per second to a published port: busybox httpd in the container, `ab` without
//      keep-alive on the host (one request per connection).
// Each engine runs on a private socket, data root and exec root under one temporary directory,
// seeded with the busybox fixture by `docker import`, and is stopped before the next one starts
// (their bridge networks would otherwise compete for the same subnets). Traffic goes only to
// 127.0.0.1 and to the address of a container on the network the bench made, checked to be on an
// interface inside that container's namespace. A measure that fails on one engine is reported as
// failed with its reason; everything the bench made is removed even on failure or Ctrl-C.
//
//   BENCH_ENGINES=docker BENCH_RUNS=5 BENCH_SECONDS=10 npm run bench:network
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireFixtures } from '../test/support/fixtures.js';
import { launchBerthd, removeBerthLeftovers, waitForBerthd } from './support/berthd.js';
import { exec, firstLine, interrupted, runBench, startBackground, type Background } from './support/commands.js';
import { busyboxTar, checked, dockerCli, dockerClient, importBusybox, removeAllContainers, type Client } from './support/docker-cli.js';
import { aptInstall, describeMachine, firstExisting, log, removeBenchDir, run, stopProcess } from './support/host.js';
import { ensureDockerd, startPrivateDockerd } from './support/private-dockerd.js';
import { median } from './support/stats.js';
import { ratio, rowPrinter, verdict } from './support/table.js';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const requests = 3000;
const concurrency = 10;
const iperfPort = 5201;
const engineNames = ['berth', 'docker'] as const;
type EngineName = (typeof engineNames)[number];

function checkSettings(): void {
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`BENCH_RUNS: expected a whole number ≥ 1, got "${process.env.BENCH_RUNS}"`);
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`BENCH_SECONDS: expected a whole number ≥ 1, got "${process.env.BENCH_SECONDS}"`);
}

function selectedEngines(): EngineName[] {
  const asked = (process.env.BENCH_ENGINES ?? engineNames.join(',')).split(',').map((e) => e.trim()).filter(Boolean);
  const unknown = asked.filter((e) => !(engineNames as readonly string[]).includes(e));
  if (unknown.length || !asked.length) throw new Error(`BENCH_ENGINES: expected berth, docker or both (comma-separated), got "${process.env.BENCH_ENGINES}"`);
  return engineNames.filter((e) => asked.includes(e));
}

// ---- tools on the host -------------------------------------------------------------------

interface Tools {
  iperf3: string;
  ab: string;
  nsenter: string;
  ip: string;
}

function ensureTools(): Tools {
  const need = (paths: string[], pkg: string) => {
    const found = firstExisting(paths);
    if (found) return found;
    if (!aptInstall([pkg])) throw new Error(`could not install ${pkg} from Debian`);
    const installed = firstExisting(paths);
    if (!installed) throw new Error(`${pkg} installed, but none of ${paths.join(', ')} exists`);
    return installed;
  };
  // Debian's iperf3 asks whether to run a system-wide server; noninteractive answers no.
  return {
    iperf3: need(['/usr/bin/iperf3'], 'iperf3'),
    ab: need(['/usr/bin/ab'], 'apache2-utils'),
    nsenter: need(['/usr/bin/nsenter'], 'util-linux'),
    ip: need(['/usr/sbin/ip', '/usr/bin/ip', '/sbin/ip', '/bin/ip'], 'iproute2'),
  };
}

/** A TCP port nothing listens on at 127.0.0.1 right now, for `-p 127.0.0.1:PORT:…`. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

// ---- addresses ---------------------------------------------------------------------------

const ipv4 = (text: string): number | undefined => {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) return undefined;
  return parts.reduce((a, p) => a * 256 + Number(p), 0);
};

function inSubnet(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const a = ipv4(ip);
  const b = ipv4(base ?? '');
  const n = Number(bits);
  if (a === undefined || b === undefined || !(n >= 0 && n <= 32)) return false;
  const size = 2 ** (32 - n);
  return Math.floor(a / size) === Math.floor(b / size);
}

// ---- one engine's bench ------------------------------------------------------------------

type Measure = { value: number; samples: number[]; note?: string } | { failed: string };

interface EngineResult {
  engine: EngineName;
  version?: string;
  containerToContainer: Measure;
  published: Measure;
  connections: Measure;
}

const messageOf = (err: unknown) => firstLine((err as Error).message ?? String(err));

/** Everything one engine's bench made, removed by `cleanup` whatever happened. */
class Session {
  readonly network = `benchnet-${randomBytes(4).toString('hex')}`;
  private networkMade = false;
  private readonly containers: string[] = [];
  private readonly servers: Background[] = [];
  subnets: string[] = [];

  constructor(readonly client: Client, readonly tools: Tools) {}

  async createNetwork(): Promise<void> {
    await checked(this.client, ['network', 'create', this.network]);
    this.networkMade = true;
    const r = await checked(this.client, ['network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Subnet}} {{end}}', this.network]);
    this.subnets = r.stdout.split(/\s+/).filter((s) => ipv4(s.split('/')[0] ?? '') !== undefined);
  }

  /** `run -d` on the bench's network; the container's host pid and its address there (checked to be its own). */
  async container(role: string, args: string[]): Promise<{ pid: number; ip: string }> {
    const name = `${this.network}-${role}`;
    await checked(this.client, ['run', '-d', '--name', name, '--network', this.network, ...args]);
    this.containers.push(name);
    const r = await checked(this.client, ['inspect', '-f', `{{.State.Pid}} {{with index .NetworkSettings.Networks "${this.network}"}}{{.IPAddress}}{{end}}`, name]);
    const [pidText, ip = ''] = r.stdout.trim().split(/\s+/);
    const pid = Number(pidText);
    if (!(pid > 0)) throw new Error(`${name}: no pid in inspect (${r.stdout.trim()})`);
    if (ipv4(ip) === undefined) throw new Error(`${name}: no IPv4 address on ${this.network} in inspect`);
    // Traffic goes only to an address of a container on the bench's own network.
    if (this.subnets.length && !this.subnets.some((s) => inSubnet(ip, s))) throw new Error(`${name}: ${ip} is outside ${this.network} (${this.subnets.join(', ')})`);
    const own = run(this.tools.nsenter, [`--net=/proc/${pid}/ns/net`, this.tools.ip, '-4', '-o', 'addr', 'show']);
    if (!own.split('\n').some((l) => l.includes(` inet ${ip}/`))) throw new Error(`${name}: ${ip} (from inspect) is not an address inside the container`);
    return { pid, ip };
  }

  /** An iperf3 server inside a container's network namespace, listening on every address there. */
  async iperfServer(pid: number): Promise<void> {
    const server = startBackground(this.tools.nsenter, [`--net=/proc/${pid}/ns/net`, this.tools.iperf3, '-s', '-p', String(iperfPort), '--forceflush']);
    this.servers.push(server);
    await server.waitFor('Server listening');
  }

  /** Stops the iperf3 servers and removes the containers (the network stays). */
  async removeContainers(): Promise<void> {
    for (const server of this.servers.splice(0)) await server.kill();
    const { file, args, env } = this.client;
    if (this.containers.length) await exec(file, [...args, 'rm', '-f', ...this.containers.splice(0)], env, 120_000, true).catch(() => undefined);
  }

  async cleanup(): Promise<void> {
    await this.removeContainers();
    const { file, args, env } = this.client;
    if (this.networkMade) {
      const r = await exec(file, [...args, 'network', 'rm', this.network], env, 60_000, true).catch((err: Error) => ({ status: -1, stderr: err.message }));
      if (r.status !== 0) log(`${this.client.name} network rm ${this.network}: ${firstLine(r.stderr)}`);
      this.networkMade = false;
    }
  }
}

/** One iperf3 client run (`prefix` enters a namespace, or nothing for the host): Gbit/s received. */
async function iperf(tools: Tools, prefix: string[], address: string, port: number, duration: number): Promise<number> {
  const args = [...prefix, tools.iperf3, '-c', address, '-p', String(port), '-t', String(duration), '-J', '--connect-timeout', '5000'];
  const r = await exec(args[0]!, args.slice(1), process.env, (duration + 30) * 1000);
  let report: { error?: string; end?: { sum_received?: { bits_per_second?: number } } } | undefined;
  try {
    report = JSON.parse(r.stdout);
  } catch { /* not JSON: the message is on stderr */ }
  const bps = report?.end?.sum_received?.bits_per_second;
  if (r.status !== 0 || !bps) throw new Error(`iperf3 -c ${address} -p ${port}: ${report?.error ?? (firstLine(r.stderr) || `exit ${r.status}`)}`);
  return bps / 1e9;
}

/** A short warm-up run, then `runs` runs of `seconds` each. */
async function throughput(tools: Tools, prefix: string[], address: string, port: number): Promise<Measure> {
  await iperf(tools, prefix, address, port, 1);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await iperf(tools, prefix, address, port, seconds));
  return { value: median(samples), samples };
}

async function containerToContainer(s: Session): Promise<Measure> {
  const a = await s.container('a', ['busybox', 'sleep', '3600']);
  const b = await s.container('b', ['busybox', 'sleep', '3600']);
  await s.iperfServer(a.pid);
  const m = await throughput(s.tools, [s.tools.nsenter, `--net=/proc/${b.pid}/ns/net`], a.ip, iperfPort);
  return { ...m, note: `${a.ip} on ${s.network} (${s.subnets.join(', ') || 'no subnet in network inspect'}), bridged traffic through iptables: ${bridgeNetfilter()}` };
}

/** Whether bridged packets pass iptables (br_netfilter loaded and enabled), which costs throughput. */
function bridgeNetfilter(): string {
  try {
    return readFileSync('/proc/sys/net/bridge/bridge-nf-call-iptables', 'utf8').trim() === '1' ? 'yes' : 'no (br_netfilter loaded, disabled)';
  } catch {
    return 'no (br_netfilter not loaded)';
  }
}

async function publishedThroughput(s: Session): Promise<Measure> {
  const port = await freePort();
  const c = await s.container('p', ['-p', `127.0.0.1:${port}:${iperfPort}`, 'busybox', 'sleep', '3600']);
  await s.iperfServer(c.pid);
  return throughput(s.tools, [], '127.0.0.1', port);
}

/** GET over a fresh connection: status and body, or an error. */
function fetchOnce(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function ab(tools: Tools, url: string, n: number): Promise<number> {
  const r = await exec(tools.ab, ['-q', '-n', String(n), '-c', String(concurrency), url], process.env, 300_000);
  const field = (name: string) => {
    const m = new RegExp(`^${name}:\\s+([\\d.]+)`, 'm').exec(r.stdout);
    return m ? Number(m[1]) : undefined;
  };
  if (r.status !== 0) throw new Error(`ab ${url}: ${firstLine(r.stderr) || firstLine(r.stdout) || `exit ${r.status}`}`);
  const complete = field('Complete requests');
  const failed = field('Failed requests');
  const non2xx = field('Non-2xx responses');
  const rate = field('Requests per second');
  if (complete !== n || failed || non2xx || !rate) {
    throw new Error(`ab ${url}: ${complete ?? '?'} of ${n} complete, ${failed ?? '?'} failed, ${non2xx ?? 0} non-2xx`);
  }
  return rate;
}

async function connectionRate(s: Session): Promise<Measure> {
  const port = await freePort();
  const body = `berth-bench-${randomBytes(4).toString('hex')}`;
  await s.container('h', ['-p', `127.0.0.1:${port}:80`, 'busybox', 'sh', '-c', `echo ${body} > /tmp/f && exec httpd -f -p 80 -h /tmp`]);
  const url = `http://127.0.0.1:${port}/f`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await fetchOnce(url).catch((err: Error) => ({ status: 0, body: err.message }));
    if (answer.status === 200 && answer.body.trim() === body) break;
    if (interrupted()) throw new Error('interrupted');
    if (Date.now() > deadline) throw new Error(`${url} did not serve the file within 15 s (last: ${answer.status || answer.body})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await ab(s.tools, url, 300);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await ab(s.tools, url, requests));
  return { value: median(samples), samples };
}

async function benchEngine(engine: EngineName, client: Client, tools: Tools): Promise<Omit<EngineResult, 'version'>> {
  const s = new Session(client, tools);
  try {
    let setup: string | undefined;
    await s.createNetwork().catch((err) => (setup = messageOf(err)));
    const attempt = async (what: string, measure: (s: Session) => Promise<Measure>): Promise<Measure> => {
      if (setup) return { failed: setup };
      try {
        const m = await measure(s);
        log(`${engine}: ${what} done`);
        return m;
      } catch (err) {
        if (interrupted()) throw err;
        log(`${engine}: ${what} failed: ${messageOf(err)}`);
        return { failed: messageOf(err) };
      } finally {
        // Each measure on its own: the previous one's containers and servers are gone.
        await s.removeContainers();
      }
    };
    return {
      engine,
      containerToContainer: await attempt('container → container', containerToContainer),
      published: await attempt('host → published port', publishedThroughput),
      connections: await attempt('connection rate', connectionRate),
    };
  } finally {
    await s.cleanup();
  }
}

// ---- the engines -------------------------------------------------------------------------

/** A started engine: the docker CLI against it, and how to stop it leaving nothing behind. */
interface Started {
  client: Client;
  version: string;
  stop(): Promise<void>;
}

async function startBerth(dir: string, tar: string): Promise<Started> {
  const berthd = launchBerthd(dir);
  const client = dockerClient('docker CLI → berthd', berthd.host, join(dir, 'docker-config'));
  const stop = async () => {
    await removeAllContainers(client);
    await stopProcess(berthd.child).catch((err) => log(`stopping berthd: ${(err as Error).message}`));
    await removeBerthLeftovers(berthd);
  };
  try {
    await waitForBerthd(berthd, client);
    await importBusybox(client, tar);
    const version = (await checked(client, ['version', '--format', '{{.Server.Version}} (API {{.Server.APIVersion}})'])).stdout.trim();
    return { client, version: `berthd ${version}`, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startDocker(dir: string, tar: string): Promise<Started> {
  const dockerdPath = ensureDockerd();
  if (!dockerdPath) throw new Error('docker.io could not be installed from Debian');
  const dockerd = await startPrivateDockerd(dockerdPath, dir, { client: dockerCli });
  const client = dockerClient('docker CLI → dockerd', dockerd.host, dockerd.configDir);
  const stop = async () => {
    await removeAllContainers(client);
    await dockerd.stop().catch((err) => log(`stopping dockerd: ${(err as Error).message}`));
  };
  try {
    await importBusybox(client, tar);
    const version = (await checked(client, ['version', '--format', '{{.Server.Version}} (API {{.Server.APIVersion}})'])).stdout.trim();
    return { client, version: `dockerd ${version}`, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function runEngine(engine: EngineName, dir: string, tar: string, tools: Tools): Promise<EngineResult> {
  const engineDir = join(dir, engine);
  mkdirSync(join(engineDir, 'docker-config'), { recursive: true });
  let started: Started | undefined;
  try {
    started = await (engine === 'berth' ? startBerth : startDocker)(engineDir, tar);
    log(`${engine}: ${started.version}`);
    return { ...(await benchEngine(engine, started.client, tools)), version: started.version };
  } catch (err) {
    if (interrupted()) throw err;
    const failed = { failed: `${engine} did not start: ${messageOf(err)}` };
    log(failed.failed);
    return { engine, containerToContainer: failed, published: failed, connections: failed };
  } finally {
    await started?.stop();
    removeBenchDir(engineDir);
  }
}

// ---- the table ---------------------------------------------------------------------------

const row = rowPrinter(60);

function printResults(results: Partial<Record<EngineName, EngineResult>>, tools: Tools): void {
  const version = (text: string) => /(\d+\.\d+(\.\d+)?)/.exec(text)?.[1] ?? '?';
  const versions = `node ${process.version}, docker CLI ${version(run(dockerCli, ['--version']))}, ` +
    `iperf3 ${version(run(tools.iperf3, ['--version']))}, ab ${version(run(tools.ab, ['-V']))}`;
  console.log(`\n${describeMachine()}`);
  console.log(`versions: ${versions}`);
  for (const engine of engineNames) if (results[engine]?.version) console.log(`  ${engine}: ${results[engine]!.version}`);
  console.log(`median of ${runs} runs each (iperf3 runs of ${seconds} s after a 1 s warm-up; ab -n ${requests} -c ${concurrency} after 300 warm-up requests)\n`);
  row('', 'berth', 'docker', 'b/d', 'target');

  const lines: [string, keyof Pick<EngineResult, 'containerToContainer' | 'published' | 'connections'>, number, string, number][] = [
    ['TCP container → container, one bridge (Gbit/s)', 'containerToContainer', 2, '≥ 0.90x (within 10%)', 0.9],
    ['TCP host → 127.0.0.1 published port (Gbit/s)', 'published', 2, '≥ 1.00x', 1],
    ['connections/s to a published port (ab, no keep-alive)', 'connections', 0, '≥ 1.00x', 1],
  ];
  const failures: string[] = [];
  for (const [label, key, digits, target, limit] of lines) {
    const cell = (engine: EngineName) => {
      const m = results[engine]?.[key];
      if (!m) return { text: 'not run' };
      if ('failed' in m) {
        failures.push(`${label}, ${engine}: failed: ${m.failed}`);
        return { text: 'failed' };
      }
      return { text: m.value.toFixed(digits), value: m.value };
    };
    const b = cell('berth');
    const d = cell('docker');
    const r = b.value !== undefined && d.value ? b.value / d.value : undefined;
    row(label, b.text, d.text, ratio(b.value, d.value), `${target}: ${verdict(r, limit, false)}`);
  }
  if (failures.length) console.log(`\n${failures.join('\n')}`);
  const spread = (engine: EngineName) => {
    const r = results[engine];
    if (!r || ![r.containerToContainer, r.published, r.connections].some((m) => 'samples' in m)) return;
    const each = [r.containerToContainer, r.published, r.connections].map((m) => ('samples' in m ? m.samples.map((x) => x.toFixed(x >= 100 ? 0 : 2)).join(' ') : '-'));
    console.log(`  ${engine} samples: container→container [${each[0]}], published [${each[1]}], connections/s [${each[2]}]`);
    if ('note' in r.containerToContainer && r.containerToContainer.note) console.log(`    container→container: ${r.containerToContainer.note}`);
  };
  console.log('');
  for (const engine of engineNames) spread(engine);
  console.log('dockerd runs with --iptables=false: its published ports reach containers through docker-proxy, its userland proxy ' +
    '(as they would for 127.0.0.1 with iptables on), and dockerd adds no iptables rules of its own');
}

// ---- main --------------------------------------------------------------------------------

async function main(): Promise<void> {
  checkSettings();
  const engines = selectedEngines();
  requireFixtures();
  const tools = ensureTools();
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-network-'));
  try {
    const tar = busyboxTar(dir);
    const results: Partial<Record<EngineName, EngineResult>> = {};
    // One engine at a time: each is stopped, its networks removed, before the next starts.
    for (const engine of engines) results[engine] = await runEngine(engine, dir, tar, tools);
    printResults(results, tools);
  } finally {
    removeBenchDir(dir);
  }
}

await runBench(main);
