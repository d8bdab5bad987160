// One network's DNS server, bound on the network's gateway (UDP and TCP), like podman's
// aardvark-dns: it answers for the containers on the network and forwards every other question
// to the host's resolvers. Its clients are containers, so nothing they send may crash berthd.
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, isIPv6, type Server, type Socket } from 'node:net';
import { randomInt } from 'node:crypto';
import {
  CLASS_ANY,
  CLASS_IN,
  DnsParseError,
  OPCODE_QUERY,
  RCODE_FORMERR,
  RCODE_NOERROR,
  RCODE_NOTIMP,
  RCODE_REFUSED,
  RCODE_SERVFAIL,
  TYPE_A,
  TYPE_ANY,
  TYPE_PTR,
  UDP_ANSWER_LIMIT,
  aRecord,
  buildHeaderOnlyResponse,
  buildResponse,
  ipv4FromReverseName,
  parseHeader,
  parseMessageHead,
  parseQuery,
  ptrRecord,
  withId,
  type DnsMessageHead,
  type DnsQuestion,
} from './message.js';
import type { DnsNameTable } from './name-table.js';
import type { DnsUpstream } from './upstreams.js';

/** Docker's embedded DNS gives its own answers this TTL too. */
export const LOCAL_ANSWER_TTL = 600;
/** How long a forwarded question may take, across all upstreams, before the client gets SERVFAIL. */
export const FORWARD_TIMEOUT_MS = 2000;
/** The longest wait before the next upstream is asked too (the previous one stays in the race). */
const UPSTREAM_STAGGER_MS = 500;
const TCP_IDLE_TIMEOUT_MS = 10_000;
const MAX_TCP_CONNECTIONS = 128;
/** Queries one TCP connection may have in flight before berth stops reading from it. */
const MAX_PIPELINED_PER_CONNECTION = 32;
/** Forwarded queries in flight for the whole server; past this, clients get SERVFAIL at once. */
const MAX_FORWARDS_IN_FLIGHT = 256; // each holds a socket (a file descriptor) for up to 2 s
const TCP_MESSAGE_LIMIT = 0xffff;

type Transport = 'udp' | 'tcp';
type Query = DnsMessageHead & { question: DnsQuestion };

export interface NetworkDnsServerOptions {
  /** The network's gateway address (IPv4 or IPv6). */
  address: string;
  /** 53 unless given; 0 picks a free port (the same for UDP and TCP). */
  port?: number;
  names: DnsNameTable;
  /** Asked for every forwarded question, so a changed host resolv.conf applies at once. */
  upstreams: () => DnsUpstream[];
  /** Listener and socket failures; never called per query. */
  log?: (message: string) => void;
}

export class NetworkDnsServer {
  private readonly connections = new Set<Socket>();
  private readonly closing = new AbortController();
  private forwardsInFlight = 0;
  private closed: Promise<void> | undefined;

  private constructor(
    private readonly options: NetworkDnsServerOptions,
    readonly address: string,
    readonly port: number,
    private readonly udp: UdpSocket,
    private readonly tcp: Server,
  ) {}

  static async start(options: NetworkDnsServerOptions): Promise<NetworkDnsServer> {
    const requested = options.port ?? 53;
    // Port 0 lets the kernel pick for UDP; TCP then wants the same number, which may be taken.
    for (let attempt = 0; ; attempt++) {
      const udp = createSocket({ type: isIPv6(options.address) ? 'udp6' : 'udp4' });
      const tcp = createServer();
      try {
        await bindUdp(udp, options.address, requested);
        const port = udp.address().port;
        await listenTcp(tcp, options.address, port);
        const server = new NetworkDnsServer(options, options.address, port, udp, tcp);
        server.serve();
        return server;
      } catch (err) {
        closeQuietly(udp);
        tcp.close();
        const retry = requested === 0 && attempt < 5 && (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (!retry) {
          throw new Error(`DNS server on ${options.address}:${requested}: ${(err as Error).message}`, { cause: err });
        }
      }
    }
  }

  /** Stops listening, drops TCP connections and abandons forwarded questions. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing.abort();
      for (const socket of this.connections) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => {
          try {
            this.udp.close(() => resolve());
          } catch {
            resolve(); // already closed
          }
        }),
        new Promise<void>((resolve) => this.tcp.close(() => resolve())),
      ]);
    })();
    return this.closed;
  }

  private serve(): void {
    const log = this.options.log ?? (() => {});
    this.udp.on('error', (err) => log(`DNS server on ${this.address}:${this.port} (udp): ${err.message}`));
    this.udp.on('message', (packet, peer) => this.onDatagram(packet, peer));
    this.tcp.on('error', (err) => log(`DNS server on ${this.address}:${this.port} (tcp): ${err.message}`));
    this.tcp.on('connection', (socket) => this.onConnection(socket));
  }

  private onDatagram(packet: Buffer, peer: RemoteInfo): void {
    if (peer.port === 0) return;
    void this.respond(packet, 'udp').then((reply) => {
      if (reply === undefined || this.closing.signal.aborted) return;
      try {
        this.udp.send(reply, peer.port, peer.address, () => {
          // A client that went away (ICMP unreachable) is not berth's problem.
        });
      } catch {
        // the socket closed meanwhile
      }
    });
  }

  private onConnection(socket: Socket): void {
    if (this.connections.size >= MAX_TCP_CONNECTIONS || this.closing.signal.aborted) {
      socket.destroy();
      return;
    }
    this.connections.add(socket);
    socket.on('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(TCP_IDLE_TIMEOUT_MS, () => socket.destroy());
    let buffered: Buffer = Buffer.alloc(0);
    let pending = 0;
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      // RFC 7766: each message has a two-byte length; several may be in flight, answered in any order.
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const length = buffered.readUInt16BE(0);
        const packet = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        pending++;
        if (pending >= MAX_PIPELINED_PER_CONNECTION) socket.pause();
        void this.respond(packet, 'tcp').then((reply) => {
          pending--;
          if (pending < MAX_PIPELINED_PER_CONNECTION && !socket.destroyed) socket.resume();
          if (socket.destroyed) return;
          if (reply === undefined) {
            socket.destroy(); // not DNS: nothing more worth reading on this connection
            return;
          }
          socket.write(lengthPrefixed(reply));
        });
      }
    });
  }

  /** The reply to one message, or undefined when it deserves none. Never rejects. */
  private async respond(packet: Buffer, transport: Transport): Promise<Buffer | undefined> {
    let query: Query;
    try {
      query = parseQuery(packet);
    } catch (err) {
      // Answering responses could start a loop between two servers; unreadable headers have no id.
      const header = err instanceof DnsParseError ? err.header : undefined;
      if (header === undefined || header.response) return undefined;
      return buildHeaderOnlyResponse(header, RCODE_FORMERR);
    }
    try {
      if (query.header.opcode !== OPCODE_QUERY) return buildResponse(query, RCODE_NOTIMP);
      const local = this.answerLocally(query, transport === 'udp' ? UDP_ANSWER_LIMIT : TCP_MESSAGE_LIMIT);
      if (local !== undefined) return local;
      if (this.forwardsInFlight >= MAX_FORWARDS_IN_FLIGHT) return buildResponse(query, RCODE_SERVFAIL);
      this.forwardsInFlight++;
      try {
        const answer = await forward(packet, query.question, this.upstreams(), transport, this.closing.signal);
        return answer ?? buildResponse(query, RCODE_SERVFAIL);
      } finally {
        this.forwardsInFlight--;
      }
    } catch (err) {
      this.options.log?.(`DNS server on ${this.address}:${this.port}: ${(err as Error).message}`);
      return buildResponse(query, RCODE_SERVFAIL);
    }
  }

  /** berth's own answer for the network's names and addresses, or undefined to forward. */
  private answerLocally(query: Query, limit: number): Buffer | undefined {
    const { name, type } = query.question;
    if (query.question.class !== CLASS_IN && query.question.class !== CLASS_ANY) return undefined;
    const names = this.options.names;
    const addresses = names.resolve(name);
    if (addresses.length > 0) {
      // The name is the network's: other types (AAAA, MX...) get NODATA, since forwarding would
      // leak container names upstream and an upstream NXDOMAIN would deny the A records too.
      const records = type === TYPE_A || type === TYPE_ANY ? addresses.map((address) => aRecord(name, address, LOCAL_ANSWER_TTL)) : [];
      return buildResponse(query, RCODE_NOERROR, records, { authoritative: true, limit });
    }
    if (type === TYPE_PTR || type === TYPE_ANY) {
      const ipv4 = ipv4FromReverseName(name);
      const target = ipv4 === undefined ? undefined : names.reverse(ipv4);
      if (target !== undefined) {
        return buildResponse(query, RCODE_NOERROR, [ptrRecord(name, `${target}.`, LOCAL_ANSWER_TTL)], { authoritative: true, limit });
      }
    }
    return undefined;
  }

  private upstreams(): DnsUpstream[] {
    // Never forward to ourselves: a host whose resolv.conf names this gateway would loop.
    return this.options.upstreams().filter((u) => !(u.address === this.address && u.port === this.port));
  }
}

/**
 * Asks the upstreams in order, each UPSTREAM_STAGGER_MS (or sooner, on failure) after the last,
 * all racing; the first usable answer wins. SERVFAIL, REFUSED and NOTIMP send the question on to
 * the next upstream and are relayed only when no one does better. Undefined when nothing came in
 * FORWARD_TIMEOUT_MS. The question goes out under a fresh random id, the answer comes back under
 * the client's.
 */
function forward(
  packet: Buffer,
  question: DnsQuestion,
  upstreams: DnsUpstream[],
  transport: Transport,
  cancelled: AbortSignal,
): Promise<Buffer | undefined> {
  const clientId = packet.readUInt16BE(0);
  const outgoingId = randomInt(0, 0x10000);
  const outgoing = withId(packet, outgoingId);
  const ask = transport === 'udp' ? askOverUdp : askOverTcp;
  const stagger = Math.min(UPSTREAM_STAGGER_MS, FORWARD_TIMEOUT_MS / Math.max(upstreams.length, 1));
  const abandon = new AbortController();
  return new Promise((resolve) => {
    let next = 0;
    let pending = 0;
    let fallback: Buffer | undefined;
    let done = false;
    let staggerTimer: NodeJS.Timeout | undefined;
    const finish = (answer: Buffer | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      clearTimeout(staggerTimer);
      cancelled.removeEventListener('abort', onCancel);
      abandon.abort();
      resolve(answer === undefined ? undefined : withId(answer, clientId));
    };
    const onCancel = (): void => finish(undefined);
    const deadline = setTimeout(() => finish(fallback), FORWARD_TIMEOUT_MS);
    const launch = (): void => {
      clearTimeout(staggerTimer);
      if (done) return;
      const upstream = upstreams[next];
      if (upstream === undefined) {
        if (pending === 0) finish(fallback);
        return;
      }
      next++;
      pending++;
      ask(upstream, outgoing, (answer) => isAnswerTo(answer, outgoingId, question), abandon.signal).then(
        (answer) => {
          pending--;
          const rcode = answer.readUInt16BE(2) & 0x0f;
          if (rcode !== RCODE_SERVFAIL && rcode !== RCODE_REFUSED && rcode !== RCODE_NOTIMP) return finish(answer);
          fallback = answer;
          launch();
        },
        () => {
          pending--;
          launch();
        },
      );
      if (next < upstreams.length) staggerTimer = setTimeout(launch, stagger);
    };
    if (cancelled.aborted) return finish(undefined);
    cancelled.addEventListener('abort', onCancel, { once: true });
    launch();
  });
}

/** Whether `answer` is a response to the question we sent under `id` (not a stray or spoofed packet). */
function isAnswerTo(answer: Buffer, id: number, question: DnsQuestion): boolean {
  try {
    const header = parseHeader(answer);
    if (!header.response || header.id !== id) return false;
    if (header.questionCount === 0) return header.rcode !== RCODE_NOERROR; // some servers drop the question from errors
    const asked = parseMessageHead(answer).questions[0]!;
    return asked.name.toLowerCase() === question.name.toLowerCase() && asked.type === question.type && asked.class === question.class;
  } catch {
    return false;
  }
}

type Ask = (upstream: DnsUpstream, query: Buffer, accepts: (answer: Buffer) => boolean, abandon: AbortSignal) => Promise<Buffer>;

const askOverUdp: Ask = (upstream, query, accepts, abandon) =>
  new Promise((resolve, reject) => {
    // A socket per question: a fresh source port, and a connected socket hears only that upstream
    // and learns of ICMP port unreachable (ECONNREFUSED), which moves on to the next one at once.
    const socket = createSocket({ type: isIPv6(upstream.address) ? 'udp6' : 'udp4' });
    const settle = oneOutcome(abandon, () => closeQuietly(socket), resolve, reject);
    if (!settle) return;
    socket.on('error', (err) => settle(err));
    socket.on('message', (answer) => {
      if (accepts(answer)) settle(undefined, answer);
    });
    socket.connect(upstream.port, upstream.address, () => {
      socket.send(query, (err) => {
        if (err) settle(err);
      });
    });
  });

/**
 * One outcome per question however many events arrive (an answer, an error, a close, the
 * abandon signal); the socket goes with it. Undefined when the question is already abandoned.
 */
function oneOutcome(
  abandon: AbortSignal,
  close: () => void,
  resolve: (answer: Buffer) => void,
  reject: (err: Error) => void,
): ((err: Error | undefined, answer?: Buffer) => void) | undefined {
  let settled = false;
  const settle = (err: Error | undefined, answer?: Buffer): void => {
    if (settled) return;
    settled = true;
    abandon.removeEventListener('abort', onAbandon);
    close();
    if (err) reject(err);
    else resolve(answer!);
  };
  const onAbandon = (): void => settle(new Error('abandoned'));
  if (abandon.aborted) {
    onAbandon();
    return undefined;
  }
  abandon.addEventListener('abort', onAbandon, { once: true });
  return settle;
}

const askOverTcp: Ask = (upstream, query, accepts, abandon) =>
  new Promise((resolve, reject) => {
    const socket = connect({ host: upstream.address, port: upstream.port });
    let buffered: Buffer = Buffer.alloc(0);
    const settle = oneOutcome(abandon, () => socket.destroy(), resolve, reject);
    if (!settle) return;
    socket.on('error', (err) => settle(err));
    socket.on('close', () => settle(new Error(`${upstream.address}:${upstream.port} closed the connection`)));
    socket.on('connect', () => socket.write(lengthPrefixed(query)));
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
      const answer = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
      if (accepts(answer)) settle(undefined, answer);
      else settle(new Error(`${upstream.address}:${upstream.port} answered something else`));
    });
  });

function lengthPrefixed(message: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length, 0);
  return Buffer.concat([prefix, message]);
}

function bindUdp(socket: UdpSocket, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

function listenTcp(server: Server, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeQuietly(socket: UdpSocket): void {
  try {
    socket.close();
  } catch {
    // already closed
  }
}
