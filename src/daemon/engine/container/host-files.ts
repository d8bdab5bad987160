// The three files Docker bind-mounts into each container: /etc/hostname, /etc/hosts and
// /etc/resolv.conf, made per container in its directory so that editing one never touches
// another container or the host. Networking will extend /etc/hosts with the container's
// addresses; until then a container shares the host's network.
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
  await write(files.hostname, `${options.hostname}\n`);
  const fqdn = options.domainname ? `${options.hostname}.${options.domainname} ${options.hostname}` : options.hostname;
  const extra = (options.extraHosts ?? []).map((entry) => {
    // Docker's --add-host is "name:ip" (the ip may itself contain colons).
    const i = entry.indexOf(':');
    return `${entry.slice(i + 1)}\t${entry.slice(0, i)}`;
  });
  await write(files.hosts, [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
    `127.0.1.1\t${fqdn}`,
    ...extra,
    '',
  ].join('\n'));
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
  }
  await write(files.resolvConf, lines.join('\n').trimEnd() + '\n');
  return files;
}
