import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ApiClient } from '../../../src/api/client.js';
import type { NetworkResource } from '../../../src/api/types/network.js';
import { ExitStatus, type CommandContext, type CommandDefinition } from '../../../src/cli/berth/command.js';
import { findCommand, findGroupCommand, groups, topLevel } from '../../../src/cli/berth/commands/index.js';
import { port, portLines } from '../../../src/cli/berth/commands/container/port.js';
import { confirm } from '../../../src/cli/berth/commands/network/confirm.js';
import { buildConnectRequest, connectFlags, networkConnect, networkDisconnect } from '../../../src/cli/berth/commands/network/connect.js';
import { buildCreateRequest, createFlags, networkCreate } from '../../../src/cli/berth/commands/network/create.js';
import { goTimeFromRfc3339, naturalCompare, networkHeaders, networkListFormat, networkRow, sortNetworks } from '../../../src/cli/berth/commands/network/format.js';
import { networkInspect } from '../../../src/cli/berth/commands/network/inspect.js';
import { createIpamConfig, IpamError, subnetMatches, type IpamOptions } from '../../../src/cli/berth/commands/network/ipam.js';
import { networkLs } from '../../../src/cli/berth/commands/network/ls.js';
import { driverOpts, parseLabels, stringSlice, validateLinks } from '../../../src/cli/berth/commands/network/options.js';
import { formatPruneReport, networkPrune } from '../../../src/cli/berth/commands/network/prune.js';
import { networkRm } from '../../../src/cli/berth/commands/network/rm.js';
import { renderList } from '../../../src/cli/berth/format/render.js';
import { parseFlags } from '../../../src/cli/berth/options.js';
import { packageRoot } from '../../../src/paths.js';
import { UsageError } from '../../../src/cli/exit.js';

const parseCreate = (...args: string[]) => parseFlags('berth network create', args, createFlags);
const createBody = (args: string[], version?: string) => {
  const parsed = parseCreate(...args);
  return buildCreateRequest(parsed.positionals[0]!, parsed, version);
};
const ipam = (o: Partial<IpamOptions>) => createIpamConfig({ driver: 'default', subnets: [], ipRanges: [], gateways: [], auxAddresses: [], driverOpts: {}, ...o });
const ipamFails = (o: Partial<IpamOptions>, message: string) => assert.throws(() => ipam(o), (e: Error) => e instanceof IpamError && e.message === message);

describe('network create: flags → request', () => {
  it('sends what docker 28 sends for a plain create', () => {
    // The body docker 28.2.2 sent to a v1.43 daemon for `docker network create n2`.
    assert.equal(JSON.stringify(createBody(['n2'], '1.43')),
      '{"Driver":"bridge","Scope":"","IPAM":{"Driver":"default","Options":{},"Config":[]},"Internal":false,"Attachable":false,"Ingress":false,'
      + '"ConfigOnly":false,"ConfigFrom":null,"Options":{},"Labels":{},"Name":"n2","CheckDuplicate":true}');
    assert.equal(createBody(['n2'], '1.44').CheckDuplicate, undefined);
  });

  it('sends every flag in docker\'s field order', () => {
    const body = createBody(['--ipv6', '--ipv4=false', '--internal', '--attachable', '-d', 'macvlan', '--aux-address', 'r=10.0.0.5',
      '--subnet', '10.0.0.0/24', '--ipam-opt', 'q=1', '--scope', 'local', 'n3'], '1.43');
    assert.equal(JSON.stringify(body),
      '{"Driver":"macvlan","Scope":"local","EnableIPv4":false,"EnableIPv6":true,"IPAM":{"Driver":"default","Options":{"q":"1"},'
      + '"Config":[{"Subnet":"10.0.0.0/24","AuxiliaryAddresses":{"r":"10.0.0.5"}}]},"Internal":true,"Attachable":true,"Ingress":false,'
      + '"ConfigOnly":false,"ConfigFrom":null,"Options":{},"Labels":{},"Name":"n3","CheckDuplicate":true}');
    const more = createBody(['--config-only', '--config-from', 'base', '--ingress', '--ipam-driver', 'x', '--driver=overlay', 'n4']);
    assert.deepEqual(more.ConfigFrom, { Network: 'base' });
    assert.equal(more.ConfigOnly, true);
    assert.equal(more.Ingress, true);
    assert.equal(more.IPAM!.Driver, 'x');
    assert.equal(more.Driver, 'overlay');
    assert.equal('EnableIPv6' in more, false);
  });

  it('pairs comma-separated and repeated subnets, ranges and gateways', () => {
    const body = createBody(['--subnet', '10.0.0.0/24,10.1.0.0/24', '--gateway', '10.0.0.1', '--gateway=10.1.0.1', '--ip-range', '10.1.0.128/25',
      '--label', 'a=b', '--label', 'c', '-o', 'x=y', '-o', 'z', '--label', ' d=e', 'n']);
    assert.deepEqual(body.IPAM!.Config, [
      { Subnet: '10.0.0.0/24', Gateway: '10.0.0.1' },
      { Subnet: '10.1.0.0/24', IPRange: '10.1.0.128/25', Gateway: '10.1.0.1' },
    ]);
    assert.deepEqual(body.Labels, { a: 'b', c: '', ' d': 'e' });
    assert.deepEqual(body.Options, { x: 'y', z: '' });
    const v6 = createBody(['--subnet', 'fd00::/64', '--gateway', 'fd00::1', '--subnet', '10.0.0.0/8', '--gateway', '10.0.0.1', 'n']);
    assert.deepEqual(v6.IPAM!.Config, [{ Subnet: 'fd00::/64', Gateway: 'fd00::1' }, { Subnet: '10.0.0.0/8', Gateway: '10.0.0.1' }]);
  });

  it('refuses what docker refuses, in docker\'s words', () => {
    ipamFails({ gateways: ['10.0.0.1'] }, 'every ip-range or gateway must have a corresponding subnet');
    ipamFails({ subnets: ['10.0.0.0/24'], ipRanges: ['10.0.0.0/25', '10.0.0.128/25'] }, 'every ip-range or gateway must have a corresponding subnet');
    ipamFails({ subnets: ['10.0.0.0/24'], gateways: ['10.1.0.1'] }, 'no matching subnet for gateway 10.1.0.1');
    ipamFails({ subnets: ['10.0.0.0/24'], gateways: ['bogus'] }, 'no matching subnet for gateway bogus');
    ipamFails({ subnets: ['10.0.0.0/24', '10.0.0.0/16'] }, 'multiple overlapping subnet configuration is not supported');
    ipamFails({ subnets: ['10.0.0.0/24', 'bogus'] }, 'invalid subnet: invalid CIDR address: bogus');
    ipamFails({ subnets: ['10.0.0.0/24'], ipRanges: ['bogus'] }, 'invalid CIDR address: bogus');
    ipamFails({ subnets: ['10.0.0.0/24'], ipRanges: ['10.0.0.0'] }, 'invalid CIDR address: 10.0.0.0');
    ipamFails({ subnets: ['bogus'], ipRanges: ['bogus2'] }, 'invalid CIDR address: bogus2');
    ipamFails({ subnets: ['bogus'], gateways: ['bogus2'] }, 'invalid subnet: invalid CIDR address: bogus');
    ipamFails({ subnets: ['10.0.0.0/24'], ipRanges: ['10.1.0.0/25'] }, 'no matching subnet for range 10.1.0.0/25');
    ipamFails({ subnets: ['10.0.0.0/24', '10.1.0.0/24'], ipRanges: ['10.0.0.0/25', '10.0.0.128/25'] },
      'cannot configure multiple ranges (10.0.0.128/25, 10.0.0.0/25) on the same subnet (10.0.0.0/24)');
    ipamFails({ subnets: ['10.0.0.0/24', '10.5.0.0/16'], gateways: ['10.0.0.1', '10.0.0.2'] },
      'cannot configure multiple gateways (10.0.0.2, 10.0.0.1) for the same subnet (10.0.0.0/24)');
    ipamFails({ subnets: ['10.0.0.0/24'], auxAddresses: [['a', '']] }, 'no matching subnet for aux-address ');
    // What docker lets through to the daemon.
    assert.deepEqual(ipam({ subnets: ['10.0.0.0'] }).Config, [{ Subnet: '10.0.0.0' }]);
    assert.deepEqual(ipam({ subnets: ['10.0.0.0/24'], gateways: ['10.0.0.1/24'], ipRanges: ['10.0.0.7/26'] }).Config,
      [{ Subnet: '10.0.0.0/24', IPRange: '10.0.0.7/26', Gateway: '10.0.0.1/24' }]);
  });

  it('matches addresses to subnets as Go\'s net package does', () => {
    assert.equal(subnetMatches('10.0.0.0/8', '10.255.1.2'), true);
    assert.equal(subnetMatches('10.0.0.1/24', '10.0.0.200'), true);
    assert.equal(subnetMatches('10.0.0.0/24', '10.0.1.0'), false);
    assert.equal(subnetMatches('fd00::/64', 'fd00::1:2'), true);
    assert.equal(subnetMatches('fd00::/64', 'fd00:0:0:1::1'), false);
    assert.equal(subnetMatches('fd00::/64', '10.0.0.1'), false);
    assert.equal(subnetMatches('10.0.0.0/8', '::ffff:10.1.2.3'), true);
    assert.equal(subnetMatches('::ffff:10.0.0.0/120', '10.0.0.1'), true);
    assert.equal(subnetMatches('0.0.0.0/0', '192.168.1.1'), true);
    assert.equal(subnetMatches('10.0.0.0/24', '010.0.0.1'), false);
    assert.throws(() => subnetMatches('10.0.0.0/33', '10.0.0.1'), /invalid subnet: invalid CIDR address: 10.0.0.0\/33/);
  });

  it('reads flag values as pflag and docker\'s opts do', () => {
    assert.deepEqual(stringSlice(['a,b', 'c', '', '"d,e",f'], '--alias'), ['a', 'b', 'c', 'd,e', 'f']);
    assert.throws(() => stringSlice(['a"b'], '--alias'), (e: Error) => e instanceof UsageError && /^invalid argument "a"b" for "--alias" flag: parse error/.test(e.message));
    assert.throws(() => parseLabels(['=x']), (e: Error) => e instanceof UsageError && e.message === 'invalid argument "=x" for "--label" flag: invalid label \'=x\': empty name');
    assert.throws(() => parseLabels(['']), /invalid label '': empty name/);
    assert.throws(() => parseLabels(['a b=x']), /invalid argument "a b=x" for "--label" flag: label 'a b' contains whitespaces/);
    assert.deepEqual(parseLabels(['k=v=w', 'bare']), { k: 'v=w', bare: '' });
    assert.throws(() => validateLinks(['a:b:c']), /invalid argument "a:b:c" for "--link" flag: bad format for links: a:b:c/);
    assert.deepEqual(validateLinks(['web', 'web:w']), ['web', 'web:w']);
    assert.deepEqual(driverOpts([' k = v ']), { k: 'v' });
    assert.equal(driverOpts(['x']), 'invalid key/value pair format in driver options');
    assert.equal(driverOpts(['=x']), 'invalid key/value pair format in driver options');
    assert.throws(() => parseCreate('-l', 'a=b', 'n'), /unknown shorthand flag: 'l' in -l/);
    assert.throws(() => parseCreate('--ipv6=maybe', 'n'), /strconv.ParseBool: parsing "maybe"/);
  });
});

describe('network connect and disconnect: flags → request', () => {
  const parseConnect = (...args: string[]) => parseFlags('berth network connect', args, connectFlags);

  it('builds the endpoint settings docker sends', () => {
    const { values } = parseConnect('--alias', 'a,b', '--alias', 'c', '--ip', '10.0.0.9', '--link', 'web:w', 'net', 'web');
    assert.deepEqual(buildConnectRequest('web', values), {
      Container: 'web',
      EndpointConfig: { IPAMConfig: { IPv4Address: '10.0.0.9' }, Links: ['web:w'], Aliases: ['a', 'b', 'c'], DriverOpts: {}, GwPriority: 0 },
    });
    const more = parseConnect('--driver-opt', ' k = v ', '--link-local-ip', '169.254.1.1,169.254.1.2', '--ip6', 'fd00::3', '--gw-priority', '-5');
    assert.deepEqual(buildConnectRequest('web', more.values), {
      Container: 'web',
      EndpointConfig: { IPAMConfig: { IPv6Address: 'fd00::3', LinkLocalIPs: ['169.254.1.1', '169.254.1.2'] }, Links: null, Aliases: [], DriverOpts: { k: 'v' }, GwPriority: -5 },
    });
    assert.equal(buildConnectRequest('web', parseConnect('--driver-opt', 'x').values), 'invalid key/value pair format in driver options');
    assert.throws(() => buildConnectRequest('web', parseConnect('--gw-priority', 'x').values), /invalid argument "x" for "--gw-priority" flag: strconv.ParseInt/);
  });
});

const summary = (name: string, id: string, extra: Partial<NetworkResource> = {}): NetworkResource => ({
  Name: name, Id: id, Created: '2024-05-01T12:00:00.123456789Z', Scope: 'local', Driver: 'bridge', EnableIPv6: false,
  IPAM: { Driver: 'default', Options: null, Config: [] }, Internal: false, Attachable: false, Ingress: false,
  ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: {}, Options: {}, Labels: {}, ...extra,
});

describe('network output', () => {
  it('sorts names naturally, as docker does', () => {
    assert.deepEqual(['net10', 'bridge', 'net9', 'host', 'net09', 'a1b', 'a01b', 'a'].sort(naturalCompare), ['a', 'a1b', 'a01b', 'bridge', 'host', 'net9', 'net09', 'net10']);
    assert.deepEqual(sortNetworks([{ Name: 'b2' }, { Name: 'b10' }, { Name: 'B' }]).map((n) => n.Name), ['B', 'b2', 'b10']);
  });

  it('prints Go\'s time.Time.String() of the creation time', () => {
    assert.equal(goTimeFromRfc3339('2024-05-01T12:00:00.123456789Z'), '2024-05-01 12:00:00.123456789 +0000 UTC');
    assert.equal(goTimeFromRfc3339('2024-05-01T12:00:00.120Z'), '2024-05-01 12:00:00.12 +0000 UTC');
    assert.equal(goTimeFromRfc3339('2024-05-02T08:30:00Z'), '2024-05-02 08:30:00 +0000 UTC');
    assert.equal(goTimeFromRfc3339('2024-05-02T08:30:00.000+02:00'), '2024-05-02 08:30:00 +0200 +0200');
    assert.equal(goTimeFromRfc3339(''), '0001-01-01 00:00:00 +0000 UTC');
  });

  it('renders docker\'s table, quiet, raw and json forms', () => {
    const nets = sortNetworks([
      summary('net10', 'a'.repeat(64), { EnableIPv6: true, Internal: true, Labels: { z: '1', a: 'x' }, Created: '2024-05-02T08:30:00Z' }),
      summary('bridge', 'b'.repeat(64)),
      summary('net9', '9'.repeat(64), { Driver: 'null', Labels: null }),
    ]);
    const rows = (trunc: boolean) => nets.map((n) => networkRow(n, trunc));
    assert.equal(renderList(networkListFormat(undefined, false), rows(true), networkHeaders),
      'NETWORK ID     NAME      DRIVER    SCOPE\nbbbbbbbbbbbb   bridge    bridge    local\n999999999999   net9      null      local\naaaaaaaaaaaa   net10     bridge    local\n');
    assert.equal(renderList(networkListFormat('table', true), rows(true), networkHeaders), 'bbbbbbbbbbbb\n999999999999\naaaaaaaaaaaa\n');
    assert.equal(renderList(networkListFormat('{{.Name}}', true), rows(true), networkHeaders), 'bridge\nnet9\nnet10\n');
    assert.equal(renderList(networkListFormat(undefined, false), rows(false), networkHeaders).split('\n')[1], `${'b'.repeat(64)}   bridge    bridge    local`);
    assert.equal(renderList(networkListFormat('raw', false), rows(true).slice(0, 1), networkHeaders), 'network_id: bbbbbbbbbbbb\nname: bridge\ndriver: bridge\nscope: local\n\n');
    assert.equal(renderList(networkListFormat('raw', true), rows(true).slice(0, 1), networkHeaders), 'network_id: bbbbbbbbbbbb\n');
    assert.equal(renderList('json', rows(true).slice(2), networkHeaders),
      '{"CreatedAt":"2024-05-02 08:30:00 +0000 UTC","Driver":"bridge","ID":"aaaaaaaaaaaa","IPv4":"false","IPv6":"true","Internal":"true","Labels":"a=x,z=1","Name":"net10","Scope":"local"}\n');
    assert.equal(renderList('table {{.ID}}\\t{{.IPv6}}\\t{{.Internal}}\\t{{.CreatedAt}}', rows(true).slice(2), networkHeaders),
      'NETWORK ID     IPV6      INTERNAL   CREATED AT\naaaaaaaaaaaa   true      true       2024-05-02 08:30:00 +0000 UTC\n');
    assert.equal(renderList('{{.Label "z"}}|{{.Labels}}', rows(true), networkHeaders), '|\n|\n1|a=x,z=1\n');
  });

  it('lists published ports as docker port does', () => {
    const ports = {
      '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '32768' }, { HostIp: '::', HostPort: '32768' }],
      '443/tcp': null,
      '9/udp': [{ HostIp: '127.0.0.1', HostPort: '10009' }],
      '10/tcp': [{ HostIp: '', HostPort: '10010' }],
      '8080/tcp': [],
    };
    assert.deepEqual(portLines(ports, 'web'), ['9/udp -> 127.0.0.1:10009', '10/tcp -> :10010', '80/tcp -> 0.0.0.0:32768', '80/tcp -> [::]:32768']);
    assert.deepEqual(portLines(ports, 'web', '80'), ['0.0.0.0:32768', '[::]:32768']);
    assert.deepEqual(portLines(ports, 'web', '80/tcp'), ['0.0.0.0:32768', '[::]:32768']);
    assert.deepEqual(portLines(ports, 'web', '9/udp'), ['127.0.0.1:10009']);
    const fails = (p: string, message: string) => assert.throws(() => portLines(ports, 'web', p), (e: Error) => e instanceof ExitStatus && e.status === 1 && e.message === message);
    fails('443', "Error: No public port '443' published for web");
    fails('81/tcp', "Error: No public port '81/tcp' published for web");
    fails('8080', "Error: No public port '8080' published for web");
    fails('9', "Error: No public port '9' published for web");
    fails('abc', 'Error: invalid port (abc): strconv.ParseUint: parsing "abc": invalid syntax');
    fails('70000', 'Error: invalid port (70000): strconv.ParseUint: parsing "70000": value out of range');
    fails('/udp', 'Error: invalid port (): strconv.ParseUint: parsing "": invalid syntax');
    assert.deepEqual(portLines(null, 'web'), []);
  });

  it('prints the prune report and asks as docker does', async () => {
    assert.equal(formatPruneReport({ NetworksDeleted: ['n1', 'n2'] }), 'Deleted Networks:\nn1\nn2\n\n');
    assert.equal(formatPruneReport({ NetworksDeleted: null }), '');
    for (const [input, expected] of [['y\n', true], ['  Y \n', true], ['yes\n', false], ['\n', false], ['', false]] as const) {
      const out = new Capture();
      assert.equal(await confirm({ stdin: Readable.from(input ? [input] : []), stdout: out.stream }, 'Sure?'), expected, JSON.stringify(input));
      assert.equal(out.text, 'Sure? [y/N] ');
    }
  });

  it('is registered as docker registers it', () => {
    const network = groups.network!;
    assert.equal(network.description, 'Manage networks');
    assert.deepEqual(network.commands.map((c) => c.name), ['connect', 'create', 'disconnect', 'inspect', 'ls', 'prune', 'rm']);
    assert.equal(findGroupCommand(network, 'list'), networkLs);
    assert.equal(findGroupCommand(network, 'remove'), networkRm);
    assert.equal(findCommand(topLevel, 'port'), port);
    assert.equal(findGroupCommand(groups.container!, 'port'), port);
    assert.equal(findCommand(topLevel, 'network'), undefined);
  });
});

// ---- the commands against a fake daemon on a unix socket ----

class Capture {
  text = '';
  readonly stream = { write: (chunk: string | Buffer) => ((this.text += String(chunk)), true) } as unknown as NodeJS.WriteStream;
}

interface Recorded { method: string; path: string; query: URLSearchParams; body: any }

const fakeNetworks: NetworkResource[] = [
  summary('bridge', 'b'.repeat(64), { IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }] } }),
  summary('net10', 'a'.repeat(64), { Labels: { z: '1' } }),
  summary('net9', '9'.repeat(64)),
  summary('ingress', '1'.repeat(64), { Ingress: true, Scope: 'swarm', Driver: 'overlay' }),
];

describe('network commands against a fake daemon', () => {
  let dir: string;
  let server: Server;
  let host: string;
  const requests: Recorded[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-network-'));
    host = `unix://${join(dir, 'api.sock')}`;
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        const url = new URL(req.url!, 'http://fake');
        const path = url.pathname.replace(/^\/v[\d.]+/, '');
        const json = (status: number, value?: unknown) => {
          res.writeHead(status, { 'Content-Type': 'application/json', 'Api-Version': '1.43' });
          res.end(value === undefined ? '' : `${JSON.stringify(value)}\n`);
        };
        if (path === '/_ping') return json(200, 'OK');
        requests.push({ method: req.method!, path, query: url.searchParams, body: text ? JSON.parse(text) : undefined });
        const find = (ref: string) => fakeNetworks.find((n) => n.Name === ref || n.Id.startsWith(ref));
        let m: RegExpExecArray | null;
        if (path === '/networks' && req.method === 'GET') return json(200, fakeNetworks);
        if (path === '/networks/create') return json(201, { Id: 'f'.repeat(64), Warning: '' });
        if (path === '/networks/prune') return json(200, { NetworksDeleted: ['n1', 'n2'] });
        if ((m = /^\/networks\/([^/]+)(\/connect|\/disconnect)?$/.exec(path))) {
          const ref = decodeURIComponent(m[1]!);
          if (!find(ref)) return json(404, { message: `network ${ref} not found` });
          if (m[2] || req.method === 'DELETE') return json(m[2] ? 200 : 204);
          return json(200, find(ref));
        }
        if ((m = /^\/containers\/([^/]+)\/json$/.exec(path))) {
          if (m[1] !== 'web') return json(404, { message: `No such container: ${m[1]}` });
          return json(200, { Id: 'c'.repeat(64), Name: '/web', NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '32768' }], '53/udp': null } } });
        }
        json(404, { message: 'page not found' });
      });
    });
    await new Promise<void>((resolve) => server.listen(join(dir, 'api.sock'), resolve));
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(command: CommandDefinition, args: string[], stdin = '') {
    const parsed = parseFlags(`berth network ${command.name}`, args, command.flags);
    const stdout = new Capture();
    const stderr = new Capture();
    const ctx: CommandContext = {
      client: async () => new ApiClient({ host }),
      configDir: dir,
      commandPath: `berth network ${command.name}`,
      stdout: stdout.stream,
      stderr: stderr.stream,
      stdin: Readable.from(stdin ? [stdin] : []) as unknown as NodeJS.ReadStream,
    };
    requests.length = 0;
    let status = 0;
    try {
      status = (await command.run(ctx, parsed)) ?? 0;
    } catch (err) {
      if (!(err instanceof ExitStatus)) throw err;
      status = err.status;
      stderr.text += `${err.message}\n`;
    }
    return { status, stdout: stdout.text, stderr: stderr.text, requests: [...requests] };
  }

  it('creates a network and prints its id', async () => {
    const r = await run(networkCreate, ['--subnet', '10.5.0.0/16', '--gateway', '10.5.0.1', '--label', 'a=b', 'n']);
    assert.equal(r.stdout, `${'f'.repeat(64)}\n`);
    assert.equal(r.requests[0]!.path, '/networks/create');
    assert.deepEqual(r.requests[0]!.body.IPAM.Config, [{ Subnet: '10.5.0.0/16', Gateway: '10.5.0.1' }]);
    assert.equal(r.requests[0]!.body.Name, 'n');
    assert.equal(r.requests[0]!.body.CheckDuplicate, true);
    const bad = await run(networkCreate, ['--gateway', '10.0.0.1', 'n']);
    assert.deepEqual([bad.status, bad.stderr, bad.requests.length], [1, 'every ip-range or gateway must have a corresponding subnet\n', 0]);
  });

  it('lists networks sorted by name, with filters', async () => {
    const r = await run(networkLs, ['-f', 'driver=bridge']);
    assert.equal(r.stdout, 'NETWORK ID     NAME      DRIVER    SCOPE\nbbbbbbbbbbbb   bridge    bridge    local\n111111111111   ingress   overlay   swarm\n999999999999   net9      bridge    local\naaaaaaaaaaaa   net10     bridge    local\n');
    assert.deepEqual(JSON.parse(r.requests[0]!.query.get('filters')!), { driver: { bridge: true } });
    assert.equal((await run(networkLs, ['-q', '--no-trunc'])).stdout.split('\n')[0], 'b'.repeat(64));
  });

  it('inspects networks: found ones printed, errors after, exit status 1', async () => {
    const r = await run(networkInspect, ['net9', 'nope', 'bridge']);
    const printed = JSON.parse(r.stdout) as NetworkResource[];
    assert.deepEqual(printed.map((n) => n.Name), ['net9', 'bridge']);
    assert.ok(r.stdout.startsWith('[\n    {\n        "Name": "net9",\n        "Id": '));
    assert.equal(r.stderr, 'Error response from daemon: network nope not found\n');
    assert.equal(r.status, 1);
    const formatted = await run(networkInspect, ['-f', '{{.Name}} {{.Scope}}', '-v', 'net9']);
    assert.deepEqual([formatted.status, formatted.stdout], [0, 'net9 local\n']);
    assert.equal(formatted.requests[0]!.query.get('verbose'), 'true');
    assert.equal((await run(networkInspect, ['nope'])).stdout, '[]\n');
    assert.equal((await run(networkInspect, ['-f', 'json', 'net9'])).stdout, `${JSON.stringify([fakeNetworks[2]])}\n`);
  });

  it('removes networks, going on after a failure', async () => {
    const r = await run(networkRm, ['net10', 'nope', 'bridge']);
    assert.equal(r.stdout, 'net10\nbridge\n');
    assert.equal(r.stderr, 'Error response from daemon: network nope not found\nexit status 1\n');
    assert.equal(r.status, 1);
    assert.deepEqual(r.requests.filter((q) => q.method === 'DELETE').map((q) => q.path), ['/networks/net10', '/networks/nope', '/networks/bridge']);
    assert.deepEqual(await run(networkRm, ['-f', 'nope']).then((x) => [x.status, x.stdout, x.stderr]), [0, '', '']);
    // The routing-mesh network is removed only when the user says so.
    const kept = await run(networkRm, ['ingress'], 'n\n');
    assert.equal(kept.stdout, 'WARNING! Before removing the routing-mesh network, make sure all the nodes in your swarm run the same docker engine version. '
      + 'Otherwise, removal may not be effective and functionality of newly create ingress networks will be impaired.\nAre you sure you want to continue? [y/N] ');
    assert.equal(kept.requests.some((q) => q.method === 'DELETE'), false);
    assert.match((await run(networkRm, ['ingress'], 'y\n')).stdout, /\[y\/N\] ingress\n$/);
  });

  it('prunes after asking, and not when told no', async () => {
    const prompt = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ';
    const no = await run(networkPrune, [], 'n\n');
    assert.deepEqual([no.status, no.stdout, no.requests.length], [0, prompt, 0]);
    const yes = await run(networkPrune, [], 'y\n');
    assert.equal(yes.stdout, `${prompt}Deleted Networks:\nn1\nn2\n\n`);
    const forced = await run(networkPrune, ['-f', '--filter', 'until=1h']);
    assert.equal(forced.stdout, 'Deleted Networks:\nn1\nn2\n\n');
    assert.deepEqual(JSON.parse(forced.requests[0]!.query.get('filters')!), { until: { '1h': true } });
  });

  it('connects and disconnects a container', async () => {
    const c = await run(networkConnect, ['--alias', 'db', '--ip', '10.0.0.9', 'net10', 'web']);
    assert.deepEqual([c.status, c.stdout], [0, '']);
    assert.equal(c.requests[0]!.path, '/networks/net10/connect');
    assert.deepEqual(c.requests[0]!.body, { Container: 'web', EndpointConfig: { IPAMConfig: { IPv4Address: '10.0.0.9' }, Links: null, Aliases: ['db'], DriverOpts: {}, GwPriority: 0 } });
    const d = await run(networkDisconnect, ['-f', 'net10', 'web']);
    assert.equal(d.requests[0]!.path, '/networks/net10/disconnect');
    assert.deepEqual(d.requests[0]!.body, { Container: 'web', Force: true });
    await assert.rejects(run(networkDisconnect, ['nope', 'web']), /network nope not found/);
  });

  it('prints a container\'s ports', async () => {
    const r = await run(port, ['web']);
    assert.equal(r.stdout, '80/tcp -> 0.0.0.0:32768\n');
    assert.equal(r.requests[0]!.path, '/containers/web/json');
    const missing = await run(port, ['web', '53/udp']);
    assert.deepEqual([missing.status, missing.stderr], [1, "Error: No public port '53/udp' published for web\n"]);
  });

  it('runs through the berth command line', async () => {
    const berth = (...args: string[]) => new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [join(packageRoot, 'bin', 'berth'), ...args], { env: { ...process.env, BERTH_HOST: host, BERTH_NO_AUTOSTART: '1' } },
        (err, stdout, stderr) => resolve({ status: err ? Number(err.code) : 0, stdout, stderr }));
    });
    const rm = await berth('network', 'rm', 'net9', 'nope');
    assert.deepEqual(rm, { status: 1, stdout: 'net9\n', stderr: 'Error response from daemon: network nope not found\nexit status 1\n' });
    const help = await berth('--help');
    assert.match(help.stdout, /\n {2}network +Manage networks\n/);
    const ls = await berth('network', 'list', '--format', '{{.Name}}');
    assert.deepEqual(ls, { status: 0, stdout: 'bridge\ningress\nnet9\nnet10\n', stderr: '' });
    const portLine = await berth('container', 'port', 'web', '80');
    assert.deepEqual(portLine, { status: 0, stdout: '0.0.0.0:32768\n', stderr: '' });
  });
});
