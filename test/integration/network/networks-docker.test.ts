// berthd's networks judged by the real docker CLI (v28): user-defined networks where containers
// find each other by name and alias, isolation between networks, the default bridge, published
// ports that keep forwarding while berthd restarts, the host, none and container modes,
// connect and disconnect, and berth's rate limit measured on a real veth. Traffic goes only to
// 127.0.0.1, to this test's containers and to the gateway of this test's own network.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { get } from 'node:http';
import { createServer, connect, type AddressInfo } from 'node:net';
import { beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestDaemon, daemonForSuite, dockerCli, hasDockerCli } from '../../support/daemon.js';
import { waitFor } from '../../support/streams.js';

const skip = hasDockerCli ? false : `${dockerCli} is missing: the docker CLI compatibility tests cannot run`;

/** A TCP port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.on('error', reject);
  });
}

/** busybox httpd serving `text` as /index.html on port 80. */
const webServer = (text: string) => ['busybox', 'sh', '-c', `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 80 -h /www`];
/** An HTTP GET with busybox nc (its wget crashes in Debian's static build). */
const ncGet = (host: string, port = 80) => `printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} ${port}`;

/** The n-th /24 of the daemon's address pool (a /20), for networks with an explicit --subnet. */
function subnetOfPool(daemon: TestDaemon, n: number): string {
  const [a, b, c] = daemon.addressPool.split('.').map(Number);
  return `${a}.${b}.${c! + n}.0/24`;
}

/** The host's iptables rules that name the daemon's bridge. */
function berthRules(daemon: TestDaemon): string[] {
  return spawnSync('iptables-save').stdout.toString().split('\n').filter((line) => line.includes(daemon.bridge));
}

describe('berthd with the docker CLI: networks', { skip }, () => {
  const suite = daemonForSuite();
  let daemon: TestDaemon;
  beforeEach(() => {
    daemon = suite.daemon;
  });

  const docker = (args: string[]) => daemon.docker(args);
  const ok = (args: string[]) => {
    const r = docker(args);
    assert.equal(r.status, 0, `docker ${args.join(' ')}: ${r.stderr}\n${daemon.log}`);
    return r.stdout.trim();
  };
  const inspect = (name: string, format: string) => ok(['inspect', '--format', format, name]);

  it('lists the predefined networks and inspects the default bridge in Docker\'s shape', () => {
    assert.deepEqual(ok(['network', 'ls', '--format', '{{.Name}} {{.Driver}}']).split('\n').sort(), ['bridge bridge', 'host host', 'none null']);
    const [bridge] = JSON.parse(ok(['network', 'inspect', 'bridge']));
    assert.equal(bridge.Scope, 'local');
    assert.equal(bridge.IPAM.Config[0].Subnet, daemon.bip.replace(/\.1\/24$/, '.0/24'));
    assert.equal(bridge.Options['com.docker.network.bridge.name'], daemon.bridge);
  });

  it('lets containers on a user-defined network reach each other by name, alias and short id, and isolates other networks', () => {
    const net = daemon.name('app');
    const other = daemon.name('other');
    const web = daemon.name('web');
    ok(['network', 'create', net]);
    ok(['network', 'create', '--subnet', subnetOfPool(daemon, 15), other]);
    const id = ok(['run', '-d', '--name', web, '--network', net, '--network-alias', 'www', ...webServer('hello-net')]);
    const byName = ok(['run', '--rm', '--network', net, 'busybox', 'sh', '-c', ncGet(web)]);
    assert.match(byName, /hello-net/);
    assert.match(ok(['run', '--rm', '--network', net, 'busybox', 'sh', '-c', ncGet('www')]), /hello-net/);
    const lookup = ok(['run', '--rm', '--network', net, 'busybox', 'nslookup', id.slice(0, 12)]);
    const ip = inspect(web, `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`);
    assert.match(lookup, new RegExp(`Address: ${ip.replace(/\./g, '\\.')}`));
    // The container's resolver is its network's gateway, which answers for the network's names.
    const gateway = JSON.parse(ok(['network', 'inspect', net]))[0].IPAM.Config[0].Gateway;
    assert.match(ok(['run', '--rm', '--network', net, 'busybox', 'cat', '/etc/resolv.conf']), new RegExp(`nameserver ${gateway}`));
    // Another network, and the default bridge, cannot reach it even by address.
    const isolated = docker(['run', '--rm', '--network', other, 'busybox', 'sh', '-c', `nc -w 2 ${ip} 80 </dev/null && echo reached`]);
    assert.doesNotMatch(isolated.stdout, /reached/);
    const fromBridge = docker(['run', '--rm', 'busybox', 'sh', '-c', `nc -w 2 ${ip} 80 </dev/null && echo reached`]);
    assert.doesNotMatch(fromBridge.stdout, /reached/);
    // Inspect lists the container with its address.
    const [resource] = JSON.parse(ok(['network', 'inspect', net]));
    assert.equal(resource.Containers[id].Name, web);
    assert.equal(resource.Containers[id].IPv4Address, `${ip}/24`);
    // In use: 409 with a clear message; once the container is gone the network goes too.
    const inUse = daemon.docker(['network', 'rm', net]);
    assert.notEqual(inUse.status, 0);
    assert.match(inUse.stderr, /has active endpoints/);
    ok(['rm', '-f', web]);
    ok(['network', 'rm', net, other]);
  });

  it('answers 409 over the API for a network in use and 403 for a predefined one', async () => {
    const net = daemon.name('inuse');
    ok(['network', 'create', net]);
    const c = daemon.name('holder');
    ok(['run', '-d', '--name', c, '--network', net, 'busybox', 'sleep', '60']);
    assert.equal((await daemon.request('DELETE', `/networks/${net}`)).status, 409);
    assert.equal((await daemon.request('DELETE', '/networks/bridge')).status, 403);
    assert.equal((await daemon.request('GET', '/networks/no-such-network')).status, 404);
    assert.equal((await daemon.request('POST', '/networks/create', { Name: net })).status, 409);
    assert.equal((await daemon.request('POST', '/networks/create', { Name: 'x', IPAM: { Config: [{ Subnet: '10.1.2.3/24' }] } })).status, 400);
    ok(['rm', '-f', c]);
    ok(['network', 'rm', net]);
  });

  it('gives an internal network no way out but still its names', () => {
    const net = daemon.name('internal');
    ok(['network', 'create', '--internal', net]);
    const peer = daemon.name('inside');
    ok(['run', '-d', '--name', peer, '--network', net, 'busybox', 'sleep', '60']);
    const out = ok(['run', '--rm', '--network', net, 'busybox', 'sh', '-c', `ip route; nslookup ${peer}`]);
    assert.doesNotMatch(out, /default/);
    assert.match(out, new RegExp(`Name:\\s+${peer}`));
    assert.equal(JSON.parse(ok(['network', 'inspect', net]))[0].Internal, true);
    ok(['rm', '-f', peer]);
    // prune takes the unused network.
    assert.match(ok(['network', 'prune', '-f']), new RegExp(net));
  });

  it('reaches a container on the default bridge by its address', () => {
    const web = daemon.name('bridged');
    ok(['run', '-d', '--name', web, ...webServer('hello-bridge')]);
    const ip = inspect(web, '{{.NetworkSettings.IPAddress}}');
    assert.match(ip, /^10\.2\d\d\.\d+\.\d+$/);
    assert.match(ok(['run', '--rm', 'busybox', 'sh', '-c', ncGet(ip)]), /hello-bridge/);
    ok(['rm', '-f', web]);
  });

  it('publishes a port on 127.0.0.1 that keeps forwarding while berthd is down and after it restarts', async () => {
    const port = await freePort();
    const web = daemon.name('published');
    ok(['run', '-d', '--name', web, '-p', `127.0.0.1:${port}:80`, ...webServer('hello-port')]);
    await waitFor(async () => (await httpGet(`http://127.0.0.1:${port}/index.html`).catch(() => undefined))?.body === 'hello-port\n');
    assert.equal(ok(['port', web]), `80/tcp -> 127.0.0.1:${port}`);
    const rulesBefore = berthRules(daemon);
    await daemon.kill9();
    assert.equal((await httpGet(`http://127.0.0.1:${port}/index.html`)).body, 'hello-port\n');
    await daemon.restart();
    assert.equal((await httpGet(`http://127.0.0.1:${port}/index.html`)).body, 'hello-port\n');
    // The restarted daemon set its rules up again without doubling any.
    assert.deepEqual(berthRules(daemon), rulesBefore);
    // The port stays berth's: a second container cannot take it.
    const clash = docker(['run', '-d', '-p', `127.0.0.1:${port}:80`, 'busybox', 'true']);
    assert.notEqual(clash.status, 0);
    assert.match(clash.stderr, /port is already allocated/);
    ok(['rm', '-f', web]);
    await assert.rejects(httpGet(`http://127.0.0.1:${port}/index.html`));
  });

  it('publishes exposed ports on free host ports with -P, reachable from the host and from other containers', async () => {
    const web = daemon.name('publish-all');
    ok(['run', '-d', '--name', web, '-P', '--expose', '80', ...webServer('hello-P')]);
    const line = ok(['port', web, '80']);
    const hostPort = Number(/:(\d+)$/.exec(line)?.[1]);
    assert.ok(hostPort > 1024, line);
    await waitFor(async () => (await httpGet(`http://127.0.0.1:${hostPort}/index.html`).catch(() => undefined))?.body === 'hello-P\n');
    // Another container reaches it through the host's address on its bridge (the gateway).
    const gateway = daemon.bip.replace(/\/24$/, '');
    assert.match(ok(['run', '--rm', 'busybox', 'sh', '-c', ncGet(gateway, hostPort)]), /hello-P/);
    // And from the host through another local interface than loopback (the bridge's address).
    assert.equal((await httpGet(`http://${gateway}:${hostPort}/index.html`)).body, 'hello-P\n');
    assert.match(ok(['ps', '--filter', `name=${web}`, '--format', '{{.Ports}}']), new RegExp(`0\\.0\\.0\\.0:${hostPort}->80/tcp`));
    ok(['rm', '-f', web]);
  });

  it('gives host mode the host\'s interfaces, none mode only lo, and container: mode the other\'s namespace', () => {
    const hostLinks = ok(['run', '--rm', '--network', 'host', 'busybox', 'ip', 'link']);
    assert.match(hostLinks, new RegExp(`: ${daemon.bridge}:`));
    const noneLinks = ok(['run', '--rm', '--network', 'none', 'busybox', 'ip', '-o', 'link']).split('\n');
    assert.equal(noneLinks.length, 1);
    assert.match(noneLinks[0]!, /: lo: .*UP/);
    const first = daemon.name('ns-owner');
    ok(['run', '-d', '--name', first, 'busybox', 'sleep', '60']);
    const ip = inspect(first, '{{.NetworkSettings.IPAddress}}');
    assert.match(ok(['run', '--rm', '--network', `container:${first}`, 'busybox', 'ip', '-o', 'addr']), new RegExp(`inet ${ip.replace(/\./g, '\\.')}/`));
    ok(['rm', '-f', first]);
  });

  it('connects a running container to a network and disconnects it', () => {
    const net = daemon.name('late');
    const c = daemon.name('roamer');
    ok(['network', 'create', net]);
    ok(['run', '-d', '--name', c, 'busybox', 'sleep', '60']);
    ok(['network', 'connect', '--alias', 'roaming', net, c]);
    assert.match(ok(['exec', c, 'ip', '-o', 'addr']), /eth1 +inet /);
    const ip = inspect(c, `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`);
    assert.match(ok(['run', '--rm', '--network', net, 'busybox', 'nslookup', 'roaming']), new RegExp(`Address: ${ip.replace(/\./g, '\\.')}`));
    ok(['network', 'disconnect', net, c]);
    assert.doesNotMatch(ok(['exec', c, 'ip', '-o', 'addr']), /eth1/);
    assert.equal(inspect(c, `{{index .NetworkSettings.Networks "${net}"}}`), '<nil>');
    ok(['rm', '-f', c]);
    ok(['network', 'rm', net]);
  });

  it('writes --hostname, --add-host, --dns, --dns-search into the container and honours --ip and --mac-address', async () => {
    const net = daemon.name('fixed');
    const subnet = subnetOfPool(daemon, 14);
    const ip = subnet.replace(/\.0\/24$/, '.77');
    ok(['network', 'create', '--subnet', subnet, net]);
    const out = ok(['run', '--rm', '--network', net, '--ip', ip, '--hostname', 'box',
      '--add-host', 'db.example:10.9.9.9', '--dns-search', 'example.org', 'busybox', 'sh', '-c',
      'hostname; cat /etc/hosts /etc/resolv.conf; ip -o addr show eth0']);
    assert.match(out, /^box\n/);
    assert.match(out, /10\.9\.9\.9\tdb\.example/);
    assert.match(out, new RegExp(`${ip.replace(/\./g, '\\.')}\tbox`));
    assert.match(out, /search example\.org/);
    assert.match(out, new RegExp(`inet ${ip.replace(/\./g, '\\.')}/24`));
    // The docker v28 client sends --mac-address only to API 1.44 daemons: Config.MacAddress through the API.
    const created = await daemon.request('POST', '/containers/create', { Image: 'busybox', Cmd: ['ip', '-o', 'link', 'show', 'eth0'], MacAddress: '02:42:ac:11:00:99' });
    assert.equal(created.status, 201, created.body);
    const macId = created.json<{ Id: string }>().Id;
    assert.match(ok(['start', '-a', macId]), /link\/ether 02:42:ac:11:00:99/);
    ok(['rm', macId]);
    const dns = ok(['run', '--rm', '--dns', '10.9.9.53', 'busybox', 'cat', '/etc/resolv.conf']);
    assert.match(dns, /^nameserver 10\.9\.9\.53$/m);
    const outside = docker(['run', '--rm', '--network', net, '--ip', '10.1.1.1', 'busybox', 'true']);
    assert.notEqual(outside.status, 0);
    assert.match(outside.stderr, /IP address 10\.1\.1\.1 is not in subnet/);
    ok(['network', 'rm', net]);
  });

  it('limits a container\'s bandwidth both ways to its network rate (within 20%)', async () => {
    // Rates are measured by the receiver after the first megabyte (the token bucket's burst and
    // TCP's start are not the steady rate), over three more megabytes: about three seconds each.
    const rateBits = 8_000_000;
    const warmup = 1_000_000;
    const bytes = 4_000_000;
    const sink = daemon.name('rate-sink');
    ok(['run', '-d', '--name', sink, '-l', 'io.berth.network-rate=8mbit', 'busybox', 'sh', '-c',
      `nc -l -p 5001 | { head -c ${warmup} >/dev/null; cat /proc/uptime; wc -c; cat /proc/uptime; }`]);
    const ip = inspect(sink, '{{.NetworkSettings.IPAddress}}');
    await sleep(300);
    // Into the container: the host sends, the container times what it reads.
    await new Promise<void>((resolve, reject) => {
      const socket = connect(5001, ip, () => socket.end(Buffer.alloc(bytes)));
      socket.on('close', () => resolve());
      socket.on('error', reject);
      socket.resume();
    });
    ok(['wait', sink]);
    const [first = '', counted = '', last = ''] = ok(['logs', sink]).split('\n');
    const inbound = { bytes: Number(counted), seconds: parseFloat(last) - parseFloat(first) };
    // Out of the container: it sends to a server on the gateway of this test's bridge.
    const gateway = daemon.bip.replace(/\/24$/, '');
    const server = createServer();
    const outbound = new Promise<{ bytes: number; seconds: number }>((resolve) => server.on('connection', (socket) => {
      let received = 0;
      let warmedUp = 0;
      socket.on('data', (d: Buffer) => {
        received += d.length;
        if (!warmedUp && received >= warmup) warmedUp = Date.now();
      });
      socket.on('end', () => resolve({ bytes: received - warmup, seconds: (Date.now() - warmedUp) / 1000 }));
      socket.resume();
    }));
    await new Promise<void>((resolve) => server.listen(0, gateway, resolve));
    const { port } = server.address() as AddressInfo;
    const sending = daemon.dockerAsync(['run', '--rm', '-l', 'io.berth.network-rate=8mbit', 'busybox', 'sh', '-c', `head -c ${bytes} /dev/zero | nc ${gateway} ${port}`]);
    const out = await outbound;
    server.close();
    await sending;
    for (const [direction, measured] of [['into the container', inbound], ['out of the container', out]] as const) {
      const rate = (measured.bytes * 8) / measured.seconds;
      assert.ok(measured.bytes > 2_000_000, `${direction}: only ${measured.bytes} bytes measured`);
      assert.ok(Math.abs(rate - rateBits) / rateBits <= 0.2, `${direction}: ${(rate / 1e6).toFixed(2)} Mbit/s over ${measured.seconds.toFixed(2)} s, expected 8 Mbit/s`);
    }
    ok(['rm', '-f', sink]);
  });
});
