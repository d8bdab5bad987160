// The per-network DNS server: the wire format, the name table, the host's resolvers, and a real
// server on 127.0.0.1 queried by Node's resolver. All traffic stays on 127.0.0.1: upstreams are
// fakes bound there.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import {
  DnsParseError,
  RCODE_FORMERR,
  RCODE_NOERROR,
  RCODE_SERVFAIL,
  TYPE_A,
  TYPE_AAAA,
  TYPE_PTR,
  aRecord,
  buildResponse,
  encodeName,
  ipv4FromReverseName,
  parseHeader,
  parseMessageHead,
  parseQuery,
  readName,
} from '../../../src/daemon/engine/network/dns/message.js';
import { DnsNameTable } from '../../../src/daemon/engine/network/dns/name-table.js';
import { NetworkDnsServer } from '../../../src/daemon/engine/network/dns/server.js';
import { hostResolvers, type DnsUpstream } from '../../../src/daemon/engine/network/dns/upstreams.js';

const LOCALHOST = '127.0.0.1';
const FORWARDED_ADDRESS = '192.0.2.7'; // only ever data in a fake upstream's answer

function queryPacket(name: string, type: number, id = 0x1234): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([header, encodeName(name), tail]);
}

/** Sends one datagram to 127.0.0.1:port; the first reply, or undefined after `waitMs`. */
function udpExchange(port: number, packet: Buffer, waitMs = 3000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => done(undefined), waitMs);
    const done = (reply: Buffer | undefined): void => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    socket.on('message', (reply) => done(reply));
    socket.send(packet, port, LOCALHOST);
  });
}

/** Sends several length-prefixed messages in one write over TCP; resolves with `count` replies. */
function tcpExchange(port: number, packets: Buffer[], count = packets.length): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: LOCALHOST, port });
    const replies: Buffer[] = [];
    let buffered = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('close', () => resolve(replies));
    socket.on('connect', () => {
      socket.write(Buffer.concat(packets.map((p) => Buffer.concat([Buffer.from([p.length >> 8, p.length & 0xff]), p]))));
    });
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        replies.push(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
        buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
      }
      if (replies.length >= count) socket.end();
    });
  });
}

interface FakeUpstream extends DnsUpstream {
  udpQueries: Buffer[];
  tcpQueries: Buffer[];
  close(): Promise<void>;
}

/** A DNS server on 127.0.0.1 (UDP and TCP, one port) that answers every A question with 192.0.2.7, or stays silent. */
async function fakeUpstream(behaviour: 'answers' | 'silent'): Promise<FakeUpstream> {
  const udpQueries: Buffer[] = [];
  const tcpQueries: Buffer[] = [];
  const answer = (packet: Buffer): Buffer => {
    const query = parseQuery(packet);
    const records = query.question.type === TYPE_A ? [aRecord(query.question.name, FORWARDED_ADDRESS, 30)] : [];
    return buildResponse(query, RCODE_NOERROR, records);
  };
  for (;;) {
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, LOCALHOST, resolve));
    const port = udp.address().port;
    const connections = new Set<Socket>();
    const tcp: Server = createServer((socket) => {
      connections.add(socket);
      socket.on('close', () => connections.delete(socket));
      socket.on('error', () => {});
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
        const packet = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        tcpQueries.push(packet);
        if (behaviour === 'silent') return;
        const reply = answer(packet);
        socket.write(Buffer.concat([Buffer.from([reply.length >> 8, reply.length & 0xff]), reply]));
      });
    });
    const listening = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, LOCALHOST, () => resolve(true));
    });
    if (!listening) {
      udp.close();
      continue;
    }
    udp.on('message', (packet, peer) => {
      udpQueries.push(packet);
      if (behaviour === 'answers') udp.send(answer(packet), peer.port, peer.address);
    });
    return {
      address: LOCALHOST,
      port,
      udpQueries,
      tcpQueries,
      close: async () => {
        for (const socket of connections) socket.destroy();
        await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
      },
    };
  }
}

function resolverFor(server: NetworkDnsServer): Resolver {
  // One try with a long timeout, so the server's own timing is what the tests see.
  const resolver = new Resolver({ timeout: 5000, tries: 1 });
  resolver.setServers([`${LOCALHOST}:${server.port}`]);
  return resolver;
}

describe('DNS messages', () => {
  it('reads a query and its question', () => {
    const query = parseQuery(queryPacket('Web.Example', TYPE_A, 0xbeef));
    assert.equal(query.header.id, 0xbeef);
    assert.equal(query.header.recursionDesired, true);
    assert.deepEqual(query.question, { name: 'Web.Example', type: TYPE_A, class: 1 });
  });

  it('follows compression pointers backwards and rejects loops and forward pointers', () => {
    // "a.b" at 0, then "x" + pointer to 0 at 5.
    const packet = Buffer.from([1, 0x61, 1, 0x62, 0, 1, 0x78, 0xc0, 0x00]);
    assert.deepEqual(readName(packet, 5), { name: 'x.a.b', end: 9 });
    assert.throws(() => readName(Buffer.from([0xc0, 0x00]), 0), DnsParseError); // points at itself
    assert.throws(() => readName(Buffer.from([1, 0x61, 0xc0, 0x00]), 0), DnsParseError); // back into its own sequence
    assert.throws(() => readName(Buffer.from([0xc0, 0x02, 0]), 0), DnsParseError); // forwards
    // Two pointers pointing at each other, reached from a third name.
    assert.throws(() => readName(Buffer.from([0xc0, 0x02, 0xc0, 0x00, 0xc0, 0x02]), 4), DnsParseError);
  });

  it('keeps the header in the parse error when only the question is bad', () => {
    const packet = Buffer.concat([queryPacket('a', TYPE_A).subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]);
    assert.throws(
      () => parseQuery(packet),
      (err: unknown) => err instanceof DnsParseError && err.header?.id === 0x1234,
    );
    assert.throws(
      () => parseQuery(Buffer.alloc(5)),
      (err: unknown) => err instanceof DnsParseError && err.header === undefined,
    );
  });

  it('escapes odd octets in names and writes them back the same', () => {
    const packet = Buffer.concat([Buffer.alloc(12), Buffer.from([3, 0x61, 0x2e, 0x00, 0])]);
    const { name } = readName(packet, 12);
    assert.equal(name, 'a\\.\\000');
    assert.deepEqual(encodeName(name), Buffer.from([3, 0x61, 0x2e, 0x00, 0]));
  });

  it('rejects over-long labels and names', () => {
    const label = Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0x61)]);
    const long = Buffer.concat([...Array(5).fill(label), Buffer.from([0])]); // 321 octets
    assert.throws(() => readName(long, 0), DnsParseError);
    assert.throws(() => readName(Buffer.from([64, ...Buffer.alloc(64, 0x61), 0]), 0), DnsParseError);
    assert.throws(() => readName(Buffer.from([0x40, 0]), 0), DnsParseError); // extended label type
  });

  it('throws nothing but DnsParseError on random and mutated input', () => {
    const valid = queryPacket('some.name.example', TYPE_A);
    for (let i = 0; i < 5000; i++) {
      let packet: Buffer;
      if (i % 2 === 0) {
        packet = randomBytes(i % 80);
      } else {
        packet = Buffer.from(valid);
        for (let j = 0; j < 3; j++) packet[(i * 7 + j * 13) % packet.length] = randomBytes(1)[0]!;
        packet = packet.subarray(0, (i * 31) % (packet.length + 1));
      }
      try {
        parseMessageHead(packet);
      } catch (err) {
        assert.ok(err instanceof DnsParseError, String(err));
      }
    }
  });

  it('truncates answers past the limit and points answer names at the question', () => {
    const query = parseQuery(queryPacket('many', TYPE_A));
    const records = Array.from({ length: 40 }, (_, i) => aRecord('many', `10.0.0.${i}`, 600));
    const full = buildResponse(query, RCODE_NOERROR, records);
    assert.equal(parseHeader(full).answerCount, 40);
    assert.equal(full.length, 12 + 10 + 40 * 16);
    const cut = buildResponse(query, RCODE_NOERROR, records, { limit: 512 });
    assert.equal(parseHeader(cut).truncated, true);
    assert.equal(parseHeader(cut).answerCount, 0);
  });

  it('turns reverse names into addresses', () => {
    assert.equal(ipv4FromReverseName('4.3.2.10.in-addr.arpa'), '10.2.3.4');
    assert.equal(ipv4FromReverseName('4.3.2.10.IN-ADDR.ARPA.'), '10.2.3.4');
    assert.equal(ipv4FromReverseName('3.2.10.in-addr.arpa'), undefined);
    assert.equal(ipv4FromReverseName('256.3.2.10.in-addr.arpa'), undefined);
    assert.equal(ipv4FromReverseName('example.com'), undefined);
  });
});

describe('DnsNameTable', () => {
  it('resolves names case-insensitively, with or without one trailing dot', () => {
    const table = new DnsNameTable();
    table.set('ep1', ['Web', 'abcdef012345'], '10.88.0.2');
    assert.deepEqual(table.resolve('web'), ['10.88.0.2']);
    assert.deepEqual(table.resolve('WEB.'), ['10.88.0.2']);
    assert.deepEqual(table.resolve('ABCDEF012345'), ['10.88.0.2']);
    assert.deepEqual(table.resolve('web..'), []);
    assert.deepEqual(table.resolve('other'), []);
  });

  it('replaces an owner’s previous names and address', () => {
    const table = new DnsNameTable();
    table.set('ep1', ['old', 'web'], '10.88.0.2');
    table.set('ep1', ['web'], '10.88.0.9');
    assert.deepEqual(table.resolve('old'), []);
    assert.deepEqual(table.resolve('web'), ['10.88.0.9']);
    assert.equal(table.reverse('10.88.0.2'), undefined);
    assert.equal(table.reverse('10.88.0.9'), 'web');
  });

  it('answers a shared alias with every owner’s address until they leave', () => {
    const table = new DnsNameTable();
    table.set('ep1', ['db1', 'db'], '10.88.0.3');
    table.set('ep2', ['db2', 'DB'], '10.88.0.4');
    assert.deepEqual(table.resolve('db'), ['10.88.0.3', '10.88.0.4']);
    table.remove('ep1');
    assert.deepEqual(table.resolve('db'), ['10.88.0.4']);
    assert.deepEqual(table.resolve('db1'), []);
    table.remove('ep2');
    table.remove('ep2'); // twice is fine
    assert.deepEqual(table.resolve('db'), []);
  });

  it('reverses an address to its owner’s first name', () => {
    const table = new DnsNameTable();
    table.set('ep1', ['web.', 'alias'], '10.88.0.2');
    assert.equal(table.reverse('10.88.0.2'), 'web');
    assert.equal(table.reverse('10.88.0.3'), undefined);
  });

  it('refuses an address that is not IPv4', () => {
    assert.throws(() => new DnsNameTable().set('ep1', ['web'], 'fd00::2'), TypeError);
  });
});

describe('hostResolvers', () => {
  it('reads nameserver lines, IPv4 and IPv6, loopback included', () => {
    const text = [
      '# generated',
      'nameserver 127.0.0.53',
      'options edns0 trust-ad',
      'search example.internal',
      '  nameserver   2001:db8::53   # comment',
      'nameserver 10.0.0.1',
      'nameserver 10.0.0.1',
      'nameserver not-an-address',
      ';nameserver 10.9.9.9',
      'nameserver',
    ].join('\n');
    assert.deepEqual(hostResolvers(text), [
      { address: '127.0.0.53', port: 53 },
      { address: '2001:db8::53', port: 53 },
      { address: '10.0.0.1', port: 53 },
    ]);
    assert.deepEqual(hostResolvers(''), []);
  });
});

describe('NetworkDnsServer', () => {
  const names = new DnsNameTable();
  let upstreams: DnsUpstream[] = [];
  let server: NetworkDnsServer;
  let resolver: Resolver;
  let answering: FakeUpstream;
  let silent: FakeUpstream;

  before(async () => {
    names.set('ep-web', ['web', 'abcdef012345', 'frontend'], '10.88.0.2');
    names.set('ep-db1', ['db1', 'db'], '10.88.0.3');
    names.set('ep-db2', ['db2', 'db'], '10.88.0.4');
    names.set('ep-many', ['many'], '10.88.1.1');
    answering = await fakeUpstream('answers');
    silent = await fakeUpstream('silent');
    server = await NetworkDnsServer.start({ address: LOCALHOST, port: 0, names, upstreams: () => upstreams });
    resolver = resolverFor(server);
  });

  after(async () => {
    await server.close();
    await answering.close();
    await silent.close();
  });

  it('binds the port it reports', () => {
    assert.ok(server.port > 0);
  });

  it('answers A for container names, short ids and aliases, with TTL 600', async () => {
    assert.deepEqual(await resolver.resolve4('web', { ttl: true }), [{ address: '10.88.0.2', ttl: 600 }]);
    assert.deepEqual(await resolver.resolve4('abcdef012345'), ['10.88.0.2']);
    assert.deepEqual(await resolver.resolve4('FrontEnd'), ['10.88.0.2']);
    assert.deepEqual((await resolver.resolve4('db')).sort(), ['10.88.0.3', '10.88.0.4']);
  });

  it('answers AAAA for a known name with no records, without asking upstream', async () => {
    upstreams = [answering];
    const before = answering.udpQueries.length;
    await assert.rejects(resolver.resolve6('web'), { code: 'ENODATA' });
    assert.equal(answering.udpQueries.length, before);
  });

  it('answers PTR for a known address', async () => {
    assert.deepEqual(await resolver.reverse('10.88.0.2'), ['web']);
  });

  it('forwards other names to the upstream and relays its answer', async () => {
    upstreams = [answering];
    const before = answering.udpQueries.length;
    assert.deepEqual(await resolver.resolve4('example.test'), [FORWARDED_ADDRESS]);
    assert.equal(answering.udpQueries.length, before + 1);
    // The upstream sees a fresh random id each time; the client gets its own back.
    const seen: number[] = [];
    for (let i = 0; i < 2; i++) {
      const reply = await udpExchange(server.port, queryPacket('example.test', TYPE_A, 0x4242));
      assert.ok(reply);
      assert.equal(parseHeader(reply).id, 0x4242);
      seen.push(answering.udpQueries.at(-1)!.readUInt16BE(0));
    }
    assert.ok(seen.some((id) => id !== 0x4242));
  });

  it('moves on to the next upstream when the first stays silent', async () => {
    upstreams = [silent, answering];
    const started = Date.now();
    assert.deepEqual(await resolver.resolve4('second.test'), [FORWARDED_ADDRESS]);
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
  });

  it('answers SERVFAIL within about 2 s when no upstream answers', async () => {
    upstreams = [silent];
    // A raw exchange: c-ares' adaptive timeouts would give up before the server does.
    const started = Date.now();
    const reply = await udpExchange(server.port, queryPacket('nobody.test', TYPE_A));
    const took = Date.now() - started;
    assert.ok(reply);
    assert.equal(parseHeader(reply).rcode, RCODE_SERVFAIL);
    assert.ok(took >= 1900 && took < 2500, `took ${took} ms`);
  });

  it('skips at once an upstream with nothing listening', async () => {
    const unused = createSocket('udp4');
    await new Promise<void>((resolve) => unused.bind(0, LOCALHOST, resolve));
    const closedPort = unused.address().port;
    await new Promise<void>((resolve) => unused.close(() => resolve()));
    upstreams = [{ address: LOCALHOST, port: closedPort }, answering];
    const started = Date.now();
    assert.deepEqual(await resolver.resolve4('refused-first.test'), [FORWARDED_ADDRESS]);
    assert.ok(Date.now() - started < 300, `took ${Date.now() - started} ms`);
    upstreams = [{ address: LOCALHOST, port: closedPort }];
    const reply = await udpExchange(server.port, queryPacket('refused.test', TYPE_A));
    assert.equal(parseHeader(reply!).rcode, RCODE_SERVFAIL);
    assert.ok(Date.now() - started < 300, `took ${Date.now() - started} ms`);
  });

  it('answers SERVFAIL at once when there are no upstreams', async () => {
    upstreams = [];
    const started = Date.now();
    await assert.rejects(resolver.resolve4('nobody.test'), { code: 'ESERVFAIL' });
    const ptr = await udpExchange(server.port, queryPacket('99.0.88.10.in-addr.arpa', TYPE_PTR));
    assert.equal(parseHeader(ptr!).rcode, RCODE_SERVFAIL);
    assert.ok(Date.now() - started < 500);
  });

  it('answers FORMERR to a compression loop, drops what has no header, and keeps answering', async () => {
    upstreams = [];
    const loop = Buffer.concat([queryPacket('a', TYPE_A, 0x7777).subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]);
    const formerr = await udpExchange(server.port, loop);
    assert.ok(formerr);
    assert.equal(parseHeader(formerr).id, 0x7777);
    assert.equal(parseHeader(formerr).rcode, RCODE_FORMERR);
    assert.equal(parseHeader(formerr).response, true);

    assert.equal(await udpExchange(server.port, Buffer.from([1, 2, 3, 4, 5]), 300), undefined);
    assert.equal(await udpExchange(server.port, Buffer.alloc(0), 300), undefined);

    // A response (QR set) is never answered, whatever it holds.
    const response = queryPacket('web', TYPE_A);
    response[2] = response[2]! | 0x80;
    assert.equal(await udpExchange(server.port, response, 300), undefined);

    for (let i = 0; i < 40; i++) {
      const reply = await udpExchange(server.port, randomBytes(1 + (i % 60)), 50);
      if (reply) assert.ok(parseHeader(reply).response);
    }
    assert.deepEqual(await resolver.resolve4('web'), ['10.88.0.2']);
  });

  it('answers queries over TCP, several on one connection', async () => {
    upstreams = [answering];
    const before = answering.tcpQueries.length;
    const replies = await tcpExchange(server.port, [
      queryPacket('web', TYPE_A, 1),
      queryPacket('db', TYPE_A, 2),
      queryPacket('web', TYPE_AAAA, 3),
      queryPacket('over-tcp.test', TYPE_A, 4),
    ]);
    const byId = new Map(replies.map((r) => [parseHeader(r).id, r]));
    assert.equal(byId.size, 4);
    assert.equal(parseHeader(byId.get(1)!).answerCount, 1);
    assert.equal(parseHeader(byId.get(2)!).answerCount, 2);
    assert.equal(parseHeader(byId.get(3)!).rcode, RCODE_NOERROR);
    assert.equal(parseHeader(byId.get(3)!).answerCount, 0);
    assert.equal(parseHeader(byId.get(4)!).answerCount, 1);
    assert.equal(parseMessageHead(byId.get(4)!).questions[0]!.name, 'over-tcp.test');
    // Came over TCP, so it went upstream over TCP.
    assert.equal(answering.tcpQueries.length, before + 1);
  });

  it('answers FORMERR over TCP and closes the connection on garbage', async () => {
    const loop = Buffer.concat([queryPacket('a', TYPE_A, 9).subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]);
    const [formerr] = await tcpExchange(server.port, [loop]);
    assert.equal(parseHeader(formerr!).rcode, RCODE_FORMERR);
    const replies = await tcpExchange(server.port, [Buffer.from([1, 2, 3])], 1); // resolves when the server closes
    assert.deepEqual(replies, []);
  });

  it('truncates a large UDP answer so that the client retries over TCP', async () => {
    for (let i = 0; i < 40; i++) names.set(`ep-many-${i}`, ['many'], `10.88.1.${i + 10}`);
    try {
      const reply = await udpExchange(server.port, queryPacket('many', TYPE_A));
      assert.ok(reply);
      assert.equal(parseHeader(reply).truncated, true);
      assert.equal((await resolver.resolve4('many')).length, 41);
    } finally {
      for (let i = 0; i < 40; i++) names.remove(`ep-many-${i}`);
    }
  });

  it('sees name table changes at once', async () => {
    names.set('ep-late', ['late'], '10.88.0.50');
    assert.deepEqual(await resolver.resolve4('late'), ['10.88.0.50']);
    names.remove('ep-late');
    upstreams = [];
    await assert.rejects(resolver.resolve4('late'), { code: 'ESERVFAIL' });
  });
});

describe('NetworkDnsServer lifecycle', () => {
  it('stops answering after close, and close can be called twice', async () => {
    const server = await NetworkDnsServer.start({ address: LOCALHOST, port: 0, names: new DnsNameTable(), upstreams: () => [] });
    const port = server.port;
    await Promise.all([server.close(), server.close()]);
    assert.equal(await udpExchange(port, queryPacket('web', TYPE_A), 300), undefined);
  });

  it('abandons a forwarded question and an open TCP connection on close', async () => {
    const silent = await fakeUpstream('silent');
    const server = await NetworkDnsServer.start({ address: LOCALHOST, port: 0, names: new DnsNameTable(), upstreams: () => [silent] });
    const idle = connect({ host: LOCALHOST, port: server.port });
    await new Promise((resolve) => idle.on('connect', resolve));
    const closed = new Promise((resolve) => idle.on('close', resolve));
    const pending = udpExchange(server.port, queryPacket('slow.test', TYPE_A), 500);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await server.close();
    await closed;
    assert.ok(Date.now() - started < 500);
    assert.equal(await pending, undefined);
    await silent.close();
  });

  it('fails to start on a port already taken', async () => {
    const first = await NetworkDnsServer.start({ address: LOCALHOST, port: 0, names: new DnsNameTable(), upstreams: () => [] });
    try {
      await assert.rejects(
        NetworkDnsServer.start({ address: LOCALHOST, port: first.port, names: new DnsNameTable(), upstreams: () => [] }),
        /EADDRINUSE/,
      );
    } finally {
      await first.close();
    }
  });

  it('does not forward to itself', async () => {
    let server: NetworkDnsServer | undefined;
    server = await NetworkDnsServer.start({
      address: LOCALHOST,
      port: 0,
      names: new DnsNameTable(),
      upstreams: () => [{ address: LOCALHOST, port: server!.port }],
    });
    try {
      const reply = await udpExchange(server.port, queryPacket('loop.test', TYPE_A));
      assert.equal(parseHeader(reply!).rcode, RCODE_SERVFAIL);
    } finally {
      await server.close();
    }
  });
});
