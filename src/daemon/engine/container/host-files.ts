// The three files Docker bind-mounts into each container: /etc/hostname, /etc/hosts and
// /etc/resolv.conf, made per container in its directory so that editing one never touches
// another container or the host. /etc/hosts names the container's own addresses; resolv.conf
// points at its network's DNS server on a user-defined network, else at the host's resolvers.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../fs/atomic-write.js';

export interface HostFiles {
  hostname: string;
  hosts: string;
  resolvConf: string;
}

export interface HostFileOptions {
  hostname: string;
  domainname?: string | undefined;
  extraHosts?: string[] | null | undefined;
  dns?: string[] | null | undefined;
  dnsSearch?: string[] | null | undefined;
  dnsOptions?: string[] | null | undefined;
  /** The container's addresses on its networks, named after it in /etc/hosts. */
  addresses?: string[];
  /** Resolvers that replace the host's (a user-defined network's DNS server). */
  nameservers?: string[] | undefined;
  /** Resolvers for when the host has none a container can reach (only loopback ones). */
  fallbackNameservers?: string[] | undefined;
  /** The host's resolv.conf (tests give their own). */
  hostResolvConf?: string;
}

/** Lines of the host's resolv.conf that still make sense in a container: not a loopback resolver. */
function usableResolvConf(text: string): string[] {
  return text.split('\n').filter((line) => {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    return !m || !(m[1]!.startsWith('127.') || m[1] === '::1');
  });
}

export async function writeHostFiles(dir: string, options: HostFileOptions): Promise<HostFiles> {
  const files: HostFiles = { hostname: join(dir, 'hostname'), hosts: join(dir, 'hosts'), resolvConf: join(dir, 'resolv.conf') };
  const write = (path: string, text: string) => writeFileAtomic(path, text, { mode: 0o644, durable: false });
  const fqdn = options.domainname ? `${options.hostname}.${options.domainname} ${options.hostname}` : options.hostname;
  const extra = (options.extraHosts ?? []).map((entry) => {
    // Docker's --add-host is "name:ip" (the ip may itself contain colons).
    const i = entry.indexOf(':');
    return `${entry.slice(i + 1)}\t${entry.slice(0, i)}`;
  });
  const hosts = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
    ...(options.addresses?.length ? options.addresses.map((ip) => `${ip}\t${fqdn}`) : [`127.0.1.1\t${fqdn}`]),
    ...extra,
    '',
  ].join('\n');
  let lines: string[];
  if (options.dns?.length || options.dnsSearch?.length || options.dnsOptions?.length) {
    lines = [
      ...(options.dns ?? []).map((ip) => `nameserver ${ip}`),
      ...(options.dnsSearch?.length ? [`search ${options.dnsSearch.join(' ')}`] : []),
      ...(options.dnsOptions?.length ? [`options ${options.dnsOptions.join(' ')}`] : []),
    ];
  } else {
    const host = await readFile(options.hostResolvConf ?? '/etc/resolv.conf', 'utf8').catch(() => '');
    lines = usableResolvConf(host);
    const isNameserver = (line: string) => /^\s*nameserver\s/.test(line);
    const replacement = options.nameservers ?? (lines.some(isNameserver) ? undefined : options.fallbackNameservers);
    if (replacement) lines = [...replacement.map((ip) => `nameserver ${ip}`), ...lines.filter((line) => !isNameserver(line))];
  }
  // Three files, no order between them: written side by side.
  await Promise.all([
    write(files.hostname, `${options.hostname}\n`),
    write(files.hosts, hosts),
    write(files.resolvConf, lines.join('\n').trimEnd() + '\n'),
  ]);
  return files;
}
