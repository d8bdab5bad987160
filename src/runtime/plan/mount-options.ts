// OCI mount options → mount(2) flags, propagation and filesystem data, as runc reads them.
import { InvalidArgument } from '../../errors.js';

export const MS = {
  RDONLY: 0x1n,
  NOSUID: 0x2n,
  NODEV: 0x4n,
  NOEXEC: 0x8n,
  SYNCHRONOUS: 0x10n,
  REMOUNT: 0x20n,
  MANDLOCK: 0x40n,
  DIRSYNC: 0x80n,
  NOSYMFOLLOW: 0x100n,
  NOATIME: 0x400n,
  SILENT: 0x8000n,
  I_VERSION: 0x800000n,
  LAZYTIME: 0x2000000n,
  NODIRATIME: 0x800n,
  BIND: 0x1000n,
  REC: 0x4000n,
  UNBINDABLE: 0x20000n,
  PRIVATE: 0x40000n,
  SLAVE: 0x80000n,
  SHARED: 0x100000n,
  RELATIME: 0x200000n,
  STRICTATIME: 0x1000000n,
} as const;

/** option → [flags to set, flags to clear] */
const flagOptions: Record<string, [bigint, bigint]> = {
  ro: [MS.RDONLY, 0n],
  rw: [0n, MS.RDONLY],
  nosuid: [MS.NOSUID, 0n],
  suid: [0n, MS.NOSUID],
  nodev: [MS.NODEV, 0n],
  dev: [0n, MS.NODEV],
  noexec: [MS.NOEXEC, 0n],
  exec: [0n, MS.NOEXEC],
  sync: [MS.SYNCHRONOUS, 0n],
  async: [0n, MS.SYNCHRONOUS],
  dirsync: [MS.DIRSYNC, 0n],
  remount: [MS.REMOUNT, 0n],
  mand: [MS.MANDLOCK, 0n],
  nomand: [0n, MS.MANDLOCK],
  atime: [0n, MS.NOATIME],
  noatime: [MS.NOATIME, 0n],
  diratime: [0n, MS.NODIRATIME],
  nodiratime: [MS.NODIRATIME, 0n],
  bind: [MS.BIND, 0n],
  rbind: [MS.BIND | MS.REC, 0n],
  relatime: [MS.RELATIME, 0n],
  norelatime: [0n, MS.RELATIME],
  strictatime: [MS.STRICTATIME, 0n],
  nostrictatime: [0n, MS.STRICTATIME],
  nosymfollow: [MS.NOSYMFOLLOW, 0n],
  symfollow: [0n, MS.NOSYMFOLLOW],
  defaults: [0n, 0n],
  silent: [MS.SILENT, 0n],
  loud: [0n, MS.SILENT],
  iversion: [MS.I_VERSION, 0n],
  noiversion: [0n, MS.I_VERSION],
  lazytime: [MS.LAZYTIME, 0n],
  nolazytime: [0n, MS.LAZYTIME],
};

const propagationOptions: Record<string, bigint> = {
  private: MS.PRIVATE,
  rprivate: MS.PRIVATE | MS.REC,
  shared: MS.SHARED,
  rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE,
  rslave: MS.SLAVE | MS.REC,
  unbindable: MS.UNBINDABLE,
  runbindable: MS.UNBINDABLE | MS.REC,
};

/**
 * Every option the parser turns into flags or propagation, for `features`. Others are handed to
 * the filesystem as data; the recursive "r*" attribute options (rro, rnosuid, ...), which need
 * mount_setattr(2), are among those and so not claimed.
 */
export const mountOptionNames: readonly string[] = [...Object.keys(flagOptions), ...Object.keys(propagationOptions)].sort();

export interface ParsedMountOptions {
  flags: bigint;
  propagation: bigint;
  /** Options the filesystem itself reads (mode=755, size=64m, newinstance, ...). */
  data: string;
}

export function parseMountOptions(options: string[] | undefined): ParsedMountOptions {
  let flags = 0n;
  let propagation = 0n;
  const data: string[] = [];
  for (const option of options ?? []) {
    // Own properties only: an option such as "constructor" is filesystem data, not Object's.
    const flag = Object.hasOwn(flagOptions, option) ? flagOptions[option] : undefined;
    if (flag) {
      flags = (flags | flag[0]) & ~flag[1];
    } else if (Object.hasOwn(propagationOptions, option)) {
      propagation |= propagationOptions[option]!;
    } else {
      data.push(option);
    }
  }
  return { flags, propagation, data: data.join(',') };
}

/** Parses a propagation name such as "rslave" (linux.rootfsPropagation). */
export function propagationFlags(name: string, field: string): bigint {
  const flags = Object.hasOwn(propagationOptions, name) ? propagationOptions[name] : undefined;
  if (flags === undefined) {
    throw new InvalidArgument(`${field}: "${name}" is not a propagation (${Object.keys(propagationOptions).join(', ')})`);
  }
  return flags;
}
