// linux.sysctl: only namespaced keys are allowed, and only with their namespace, as runc checks:
// anything else would change the host's kernel from inside a container.
import { InvalidArgument } from '../../errors.js';
import type { NamespaceType } from '../spec/types.js';

const ipcKeys = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);

/** The namespace a sysctl key belongs to, or undefined if it is not namespaced. */
export function sysctlNamespace(key: string): NamespaceType | undefined {
  if (ipcKeys.has(key) || key.startsWith('fs.mqueue.')) return 'ipc';
  if (key.startsWith('net.')) return 'network';
  if (key === 'kernel.hostname' || key === 'kernel.domainname') return 'uts';
  return undefined;
}

/** Checks each key against the namespaces the container creates; returns /proc/sys paths. */
export function sysctlWrites(sysctl: Record<string, string> | undefined, newNamespaces: Set<NamespaceType>): [path: string, value: string][] {
  const writes: [string, string][] = [];
  for (const [key, value] of Object.entries(sysctl ?? {})) {
    if (key.includes('..') || key.startsWith('/')) throw new InvalidArgument(`linux.sysctl: "${key}" is not a sysctl name`);
    // "net/ipv4/ip_forward" names the same sysctl as "net.ipv4.ip_forward" (validateSpec accepts both).
    const ns = sysctlNamespace(key.replaceAll('/', '.'));
    if (!ns) throw new InvalidArgument(`linux.sysctl: "${key}" is not namespaced and would change the host`);
    if (!newNamespaces.has(ns)) {
      throw new InvalidArgument(`linux.sysctl: "${key}" needs the container's own ${ns} namespace`);
    }
    writes.push([`/proc/sys/${key.replaceAll('.', '/')}`, value]);
  }
  return writes;
}
