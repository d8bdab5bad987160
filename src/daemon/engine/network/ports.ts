// Published ports: Docker's PortBindings and PublishAllPorts turned into concrete host ports.
// A host port given by the user must be free, on berth's books and on the host (berth forwards
// in the kernel, so without this check a host service on the same port would be shadowed
// silently); a missing one is taken from the host's ephemeral range, as Docker does.
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import type { PortMap } from '../../../api/types/container-config.js';
import { Conflict, InvalidArgument } from '../../../errors.js';
import type { PublishedPort } from './record.js';
import { parseIPv4 } from './subnets.js';

/** What the user asked for: a host port of 0 means "any free one", a range means "one of these". */
export interface PortRequest {
  containerPort: number;
  protocol: PublishedPort['protocol'];
  hostIp: string;
  hostPorts: { first: number; last: number } | undefined;
}

function portNumber(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw new InvalidArgument(`invalid ${what} "${text}": a port is a number from 1 to 65535`);
  return n;
}

/** "80/tcp" → 80, tcp (Docker's nat.Port keys); the protocol defaults to tcp. */
export function parsePortKey(key: string): { port: number; protocol: PublishedPort['protocol'] } {
  const [port = '', protocol = 'tcp'] = key.split('/');
  if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'sctp') throw new InvalidArgument(`invalid protocol "${protocol}" in port "${key}"`);
  return { port: portNumber(port, 'container port'), protocol };
}

function hostPortRange(text: string | undefined): PortRequest['hostPorts'] {
  if (!text || text === '0') return undefined;
  const [first, last = first] = text.split('-');
  const range = { first: portNumber(first!, 'host port'), last: portNumber(last!, 'host port') };
  if (range.last < range.first) throw new InvalidArgument(`invalid host port range "${text}"`);
  return range;
}

/** The requests of a container: its bindings, plus its exposed ports when PublishAllPorts. */
export function portRequests(bindings: PortMap | null | undefined, publishAll: boolean, exposed: Record<string, unknown> | null | undefined): PortRequest[] {
  const requests: PortRequest[] = [];
  const bound = new Set<string>();
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const { port, protocol } = parsePortKey(key);
    bound.add(`${port}/${protocol}`);
    for (const binding of list ?? [{}]) {
      const hostIp = binding.HostIp || '0.0.0.0';
      if (parseIPv4(hostIp) === undefined) throw new InvalidArgument(`invalid host IP "${hostIp}" for port ${key}: berth publishes on IPv4 addresses`);
      requests.push({ containerPort: port, protocol, hostIp, hostPorts: hostPortRange(binding.HostPort) });
    }
  }
  if (publishAll) {
    for (const key of Object.keys(exposed ?? {})) {
      const { port, protocol } = parsePortKey(key);
      if (!bound.has(`${port}/${protocol}`)) requests.push({ containerPort: port, protocol, hostIp: '0.0.0.0', hostPorts: undefined });
    }
  }
  return requests;
}

/** Whether the host lets us bind the port now (a host service on it would be shadowed). */
function hostPortFree(protocol: PublishedPort['protocol'], hostIp: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (protocol === 'udp') {
      const socket = createSocket('udp4');
      socket.once('error', () => { socket.close(); resolve(false); });
      socket.bind({ address: hostIp, port, exclusive: true }, () => socket.close(() => resolve(true)));
      return;
    }
    // sctp cannot be probed from Node; tcp is what matters in practice.
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: hostIp, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The host's ephemeral port range, where ports without a number come from. */
function ephemeralRange(): { first: number; last: number } {
  try {
    const [first, last] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (first && last && first <= last) return { first, last };
  } catch {
    // Docker's own defaults below.
  }
  return { first: 49153, last: 65535 };
}

/** Host ports held by berth's running containers. */
export class PortAllocator {
  private readonly held = new Map<string, PublishedPort>();
  private cursor = 0;

  private static key(p: { protocol: string; hostPort: number }): string {
    return `${p.protocol}/${p.hostPort}`;
  }

  private clashes(protocol: string, hostIp: string, port: number): PublishedPort | undefined {
    const holder = this.held.get(PortAllocator.key({ protocol, hostPort: port }));
    // One port on two addresses is fine, but 0.0.0.0 covers them all.
    if (holder && (holder.hostIp === hostIp || holder.hostIp === '0.0.0.0' || hostIp === '0.0.0.0')) return holder;
    return undefined;
  }

  /** Marks ports already bound (containers still running after a berthd restart). */
  claim(ports: readonly PublishedPort[]): void {
    for (const p of ports) this.held.set(PortAllocator.key(p), p);
  }

  release(ports: readonly PublishedPort[]): void {
    for (const p of ports) {
      const key = PortAllocator.key(p);
      if (this.held.get(key)?.hostIp === p.hostIp) this.held.delete(key);
    }
  }

  /** Chooses and holds a host port for every request, or none of them. */
  async allocate(requests: readonly PortRequest[]): Promise<PublishedPort[]> {
    const taken: PublishedPort[] = [];
    try {
      for (const request of requests) {
        const port = await this.choose(request);
        const published = { containerPort: request.containerPort, protocol: request.protocol, hostIp: request.hostIp, hostPort: port };
        this.claim([published]);
        taken.push(published);
      }
      return taken;
    } catch (err) {
      this.release(taken);
      throw err;
    }
  }

  private async choose(request: PortRequest): Promise<number> {
    const { protocol, hostIp } = request;
    if (request.hostPorts && request.hostPorts.first === request.hostPorts.last) {
      const port = request.hostPorts.first;
      if (this.clashes(protocol, hostIp, port)) throw new Conflict(`Bind for ${hostIp}:${port} failed: port is already allocated`);
      if (!(await hostPortFree(protocol, hostIp, port))) throw new Conflict(`Bind for ${hostIp}:${port} failed: port is already in use by another program on the host`);
      return port;
    }
    const range = request.hostPorts ?? ephemeralRange();
    const size = range.last - range.first + 1;
    // Walk on from where the last search stopped, as Docker's allocator does, so that a port
    // just released is not handed out again at once.
    for (let i = 0; i < size; i++) {
      const port = range.first + ((this.cursor + i) % size);
      if (this.clashes(protocol, hostIp, port) || !(await hostPortFree(protocol, hostIp, port))) continue;
      this.cursor = (port - range.first + 1) % size;
      return port;
    }
    throw new Conflict(`no free host port in ${range.first}-${range.last} for ${request.containerPort}/${protocol}`);
  }
}
