// berth port CONTAINER [PRIVATE_PORT[/PROTO]]: the container's published ports from
// NetworkSettings.Ports, as docker prints them: "80/tcp -> 0.0.0.0:32768" lines (or just
// "0.0.0.0:32768" for one port, tcp unless a protocol is named), in natural order.
import type { PortMap } from '../../../../api/types/container-config.js';
import { ExitStatus, type CommandDefinition } from '../../command.js';
import { naturalCompare } from '../network/format.js';

/** Go's net.JoinHostPort: an IPv6 host in brackets. */
export function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The lines `docker port` prints for `ports`; with `port` ("80", "53/udp") only that port's
 * bindings. A port that is not a number, or has no binding, is an error (docker's words).
 */
export function portLines(ports: PortMap | null | undefined, container: string, port?: string): string[] {
  const map = ports ?? {};
  const out: string[] = [];
  if (port !== undefined && port !== '') {
    const slash = port.indexOf('/');
    const number = slash < 0 ? port : port.slice(0, slash);
    const proto = (slash < 0 ? '' : port.slice(slash + 1)) || 'tcp';
    if (!/^\d+$/.test(number)) throw new ExitStatus(1, `Error: invalid port (${number}): strconv.ParseUint: parsing ${JSON.stringify(number)}: invalid syntax`);
    if (Number(number) > 65535) throw new ExitStatus(1, `Error: invalid port (${number}): strconv.ParseUint: parsing ${JSON.stringify(number)}: value out of range`);
    const key = `${number}/${proto}`;
    const frontends = Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
    if (!frontends || frontends.length === 0) throw new ExitStatus(1, `Error: No public port '${port}' published for ${container}`);
    for (const f of frontends) out.push(joinHostPort(f.HostIp ?? '', f.HostPort ?? ''));
  } else {
    for (const [from, frontends] of Object.entries(map)) {
      for (const f of frontends ?? []) out.push(`${from} -> ${joinHostPort(f.HostIp ?? '', f.HostPort ?? '')}`);
    }
  }
  return out.sort(naturalCompare);
}

export const port: CommandDefinition = {
  name: 'port',
  usage: 'port CONTAINER [PRIVATE_PORT[/PROTO]]',
  description: 'List port mappings or a specific mapping for the container',
  args: { min: 1, max: 2 },
  flags: {},
  async run(ctx, { positionals }) {
    const [container, privatePort] = positionals as [string, string | undefined];
    const client = await ctx.client();
    const inspect = await client.json<{ NetworkSettings?: { Ports?: PortMap | null } | null }>('GET', `/containers/${encodeURIComponent(container)}/json`);
    const lines = portLines(inspect?.NetworkSettings?.Ports, container, privatePort);
    if (lines.length) ctx.stdout.write(`${lines.join('\n')}\n`);
  },
};
