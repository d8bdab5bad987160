// The device nodes and /dev links every container gets, plus the spec's linux.devices.
import type { Device } from '../spec/types.js';

export interface DeviceNode {
  path: string;
  type: 'c' | 'b' | 'p';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

/** The devices runc and Docker create in every container. */
export const defaultDevices: DeviceNode[] = [
  { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/zero', type: 'c', major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/full', type: 'c', major: 1, minor: 7, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/random', type: 'c', major: 1, minor: 8, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/urandom', type: 'c', major: 1, minor: 9, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/tty', type: 'c', major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0 },
];

export const defaultDevLinks: [target: string, path: string][] = [
  ['/proc/self/fd', '/dev/fd'],
  ['/proc/self/fd/0', '/dev/stdin'],
  ['/proc/self/fd/1', '/dev/stdout'],
  ['/proc/self/fd/2', '/dev/stderr'],
  ['pts/ptmx', '/dev/ptmx'],
];

/** Defaults first; a spec device with the same path replaces the default. */
export function containerDevices(specDevices: Device[] | undefined): DeviceNode[] {
  const byPath = new Map<string, DeviceNode>(defaultDevices.map((d) => [d.path, d]));
  for (const d of specDevices ?? []) {
    byPath.set(d.path, {
      path: d.path,
      type: d.type === 'u' ? 'c' : d.type,
      major: d.major ?? 0,
      minor: d.minor ?? 0,
      fileMode: d.fileMode ?? 0o666,
      uid: d.uid ?? 0,
      gid: d.gid ?? 0,
    });
  }
  return [...byPath.values()];
}

export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFIFO = 0o010000;

export function deviceModeBits(d: DeviceNode): number {
  const kind = d.type === 'b' ? S_IFBLK : d.type === 'p' ? S_IFIFO : S_IFCHR;
  return kind | (d.fileMode & 0o7777);
}
