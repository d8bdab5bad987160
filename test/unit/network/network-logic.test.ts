// The pure parts of berth's networking: subnets and pools, published-port requests, rates,
// the CNI configuration of an endpoint, and berthd's network flags.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { carveSubnet, checkHostAddress, formatSubnet, overlaps, parseSubnet } from '../../../src/daemon/engine/network/subnets.js';
import { PortAllocator, portRequests } from '../../../src/daemon/engine/network/ports.js';
import { parseRate } from '../../../src/daemon/engine/network/rate.js';
import { endpointPlugins } from '../../../src/daemon/engine/network/cni/endpoint-plugins.js';
import type { NetworkRecord } from '../../../src/daemon/engine/network/record.js';
import { parseDaemonArgs } from '../../../src/daemon/config.js';
import { normalNetworkMode } from '../../../src/daemon/engine/network/container-networking.js';

describe('subnets', () => {
  it('parses CIDRs and refuses host bits, bad prefixes and garbage with the value in the message', () => {
    assert.equal(formatSubnet(parseSubnet('10.1.0.0/16')), '10.1.0.0/16');
    assert.throws(() => parseSubnet('10.1.2.3/16'), /host bits set \(did you mean 10\.1\.0\.0\/16\?\)/);
    assert.equal(formatSubnet(parseSubnet('10.213.0.1/16', 'bip', true)), '10.213.0.0/16');
    for (const bad of ['10.1.0.0', '10.1.0.0/33', '300.1.0.0/16', 'a.b.c.d/8', '']) {
      assert.throws(() => parseSubnet(bad), /invalid subnet/);
    }
  });

  it('checks addresses against their subnet', () => {
    const s = parseSubnet('10.5.0.0/24');
    assert.equal(checkHostAddress(s, '10.5.0.7', 'ip'), parseSubnet('10.5.0.7/32').base);
    assert.throws(() => checkHostAddress(s, '10.5.1.7', 'gateway'), /gateway 10\.5\.1\.7 is not in subnet 10\.5\.0\.0\/24/);
    assert.throws(() => checkHostAddress(s, '10.5.0.255', 'ip'), /broadcast/);
    assert.throws(() => checkHostAddress(s, '10.5.0.0', 'ip'), /network or broadcast/);
    assert.throws(() => checkHostAddress(s, 'ten', 'ip'), /not an IPv4 address/);
  });

  it('carves the first free subnet of a pool around taken ones', () => {
    const pool = parseSubnet('10.214.0.0/16');
    const taken = [parseSubnet('10.214.0.0/24'), parseSubnet('10.214.1.128/25')];
    assert.equal(formatSubnet(carveSubnet(pool, 24, taken)!), '10.214.2.0/24');
    assert.equal(carveSubnet(parseSubnet('10.9.0.0/24'), 24, [parseSubnet('10.0.0.0/8')]), undefined);
    assert.equal(carveSubnet(pool, 8, []), undefined);
    assert.ok(overlaps(parseSubnet('10.0.0.0/8'), parseSubnet('10.214.3.0/24')));
    assert.ok(!overlaps(parseSubnet('10.213.0.0/16'), parseSubnet('10.214.0.0/16')));
  });
});

describe('published ports', () => {
  it('reads bindings, ranges and PublishAllPorts as Docker sends them', () => {
    const requests = portRequests(
      { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '53/udp': [{ HostPort: '' }], '9000/tcp': [{ HostPort: '9000-9005' }] },
      true,
      { '80/tcp': {}, '443/tcp': {} },
    );
    assert.deepEqual(requests, [
      { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPorts: { first: 8080, last: 8080 } },
      { containerPort: 53, protocol: 'udp', hostIp: '0.0.0.0', hostPorts: undefined },
      { containerPort: 9000, protocol: 'tcp', hostIp: '0.0.0.0', hostPorts: { first: 9000, last: 9005 } },
      { containerPort: 443, protocol: 'tcp', hostIp: '0.0.0.0', hostPorts: undefined },
    ]);
    assert.deepEqual(portRequests({ '80': null }, false, {}), [{ containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPorts: undefined }]);
  });

  it('refuses bad ports, protocols and addresses with a clear message', () => {
    assert.throws(() => portRequests({ '70000/tcp': [] }, false, {}), /invalid container port "70000"/);
    assert.throws(() => portRequests({ '80/icmp': [] }, false, {}), /invalid protocol "icmp"/);
    assert.throws(() => portRequests({ '80/tcp': [{ HostPort: '9-1' }] }, false, {}), /invalid host port range/);
    assert.throws(() => portRequests({ '80/tcp': [{ HostIp: '::1' }] }, false, {}), /IPv4/);
  });

  it('never hands one host port to two containers, and releases it again', async () => {
    const allocator = new PortAllocator();
    const [first] = await allocator.allocate([{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPorts: undefined }]);
    assert.ok(first!.hostPort > 0);
    const again = { containerPort: 81, protocol: 'tcp' as const, hostIp: '0.0.0.0', hostPorts: { first: first!.hostPort, last: first!.hostPort } };
    await assert.rejects(allocator.allocate([again]), /port is already allocated/);
    // Another address on the same port is fine unless either is 0.0.0.0; udp is its own space.
    await allocator.allocate([{ ...again, protocol: 'udp' }]);
    allocator.release([first!]);
    const [reused] = await allocator.allocate([again]);
    assert.equal(reused!.hostPort, first!.hostPort);
  });
});

describe('network rate', () => {
  it('reads tc-style rates in bits and bytes per second', () => {
    assert.equal(parseRate('8mbit'), 8_000_000);
    assert.equal(parseRate('1gbit'), 1_000_000_000);
    assert.equal(parseRate('500kbit'), 500_000);
    assert.equal(parseRate('2mbps'), 16_000_000);
    assert.equal(parseRate('1000000'), 1_000_000);
    for (const bad of ['fast', '10 parsecs', '-1mbit', '1bit']) assert.throws(() => parseRate(bad), /invalid network rate/);
  });
});

describe('CNI configuration of an endpoint', () => {
  const net: NetworkRecord = {
    id: 'n'.repeat(64), name: 'app', created: '', driver: 'bridge', isDefaultBridge: false, internal: false, attachable: false,
    labels: {}, options: {}, bridge: 'brt-123', subnet: '10.214.3.0/24', gateway: '10.214.3.1', ipRange: '10.214.3.128/25',
  };

  it('chains bridge, portmap and bandwidth with host-local IPAM under berth\'s data root', () => {
    const plugins = endpointPlugins(net, '/data/network/ipam', {
      ipv4Address: '10.214.3.200',
      ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 }, { containerPort: 53, protocol: 'udp', hostIp: '0.0.0.0', hostPort: 5353 }],
      rateLimit: 8_000_000,
    });
    assert.deepEqual(plugins.map((p) => p.type), ['bridge', 'portmap', 'bandwidth']);
    const bridge = plugins[0] as any;
    assert.equal(bridge.bridge, 'brt-123');
    assert.equal(bridge.ipMasq, false);
    assert.equal(bridge.ipam.dataDir, '/data/network/ipam');
    assert.deepEqual(bridge.ipam.ranges, [[{ subnet: '10.214.3.0/24', gateway: '10.214.3.1', rangeStart: '10.214.3.128', rangeEnd: '10.214.3.254' }]]);
    assert.deepEqual(bridge.ipam.routes, [{ dst: '0.0.0.0/0' }]);
    assert.deepEqual(bridge.runtimeConfig, { ips: ['10.214.3.200/24'] });
    assert.deepEqual((plugins[1] as any).runtimeConfig.portMappings, [
      { hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '127.0.0.1' },
      { hostPort: 5353, containerPort: 53, protocol: 'udp', hostIP: '' },
    ]);
    assert.equal((plugins[2] as any).runtimeConfig.bandwidth.ingressRate, 8_000_000);
  });

  it('gives an internal network no default route', () => {
    const [bridge] = endpointPlugins({ ...net, internal: true, ipRange: undefined }, '/d', {}) as any[];
    assert.deepEqual(bridge.ipam.routes, []);
    assert.equal(bridge.runtimeConfig, undefined);
  });
});

describe('berthd network flags', () => {
  it('defaults away from Docker\'s subnets and takes --bip, --bridge, pools and --dns', () => {
    const defaults = parseDaemonArgs([], {});
    assert.deepEqual(defaults.network, { bridge: 'berth0', bip: '10.213.0.1/16', addressPools: [{ base: '10.214.0.0/16', size: 24 }], dns: [] });
    const given = parseDaemonArgs(['-b', 'br9', '--bip', '10.9.0.1/24', '--default-address-pool', 'base=10.10.0.0/16,size=26', '--dns', '127.0.0.53'], {});
    assert.deepEqual(given.network, { bridge: 'br9', bip: '10.9.0.1/24', addressPools: [{ base: '10.10.0.0/16', size: 26 }], dns: ['127.0.0.53'] });
    assert.throws(() => parseDaemonArgs(['--default-address-pool', 'base=10.10.0.0/16'], {}), /expected base=CIDR,size=N/);
  });

  it('reads "" and "default" as the default bridge', () => {
    assert.equal(normalNetworkMode(''), 'bridge');
    assert.equal(normalNetworkMode('default'), 'bridge');
    assert.equal(normalNetworkMode(undefined), 'bridge');
    assert.equal(normalNetworkMode('host'), 'host');
  });
});
