// The container's mounts: Docker's defaults (minus those a user mount replaces), then Binds
// (`-v`), Mounts (`--mount`), Tmpfs (`--tmpfs`) and the daemon's /etc/hostname, /etc/hosts and
// /etc/resolv.conf, sorted by depth as moby's WithMounts does; the reaper's bind comes last.
import { existsSync } from 'node:fs';
import { posix } from 'node:path';
import { InvalidArgument, Unsupported } from '../../../../errors.js';
import type { HostConfig, Mount as DockerMount } from '../../../../api/types/container-config.js';
import type { Mount } from '../../../../runtime/spec/types.js';
import { createBindSource } from './rootfs-path.js';

const propagations = new Set(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);
const consistencies = new Set(['consistent', 'cached', 'delegated']);
const defaultPropagation = 'rprivate';

/** A user mount before it becomes an OCI mount. */
export interface UserMount {
  kind: 'bind' | 'tmpfs';
  destination: string;
  /** Host path (binds). */
  source?: string;
  readOnly: boolean;
  propagation?: string;
  recursive?: boolean;
  /** tmpfs options as the user wrote them ("size=64m,mode=1777"). */
  data?: string;
}

export interface MountInputs {
  hostConfig: HostConfig;
  /** Host paths of volumes by name; without it a named volume is refused. */
  resolveVolume?: (name: string) => string;
  /** false: only check, never create a missing bind source (create's validation). Default true. */
  createMissing?: boolean;
}

const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

function checkDestination(destination: string, type: string): string {
  if (!destination) throw new InvalidArgument(`invalid mount config for type "${type}": field Target must not be empty`);
  if (!destination.startsWith('/')) {
    throw new InvalidArgument(`invalid mount config for type "${type}": invalid mount path: '${destination}' mount path must be absolute`);
  }
  const clean = posix.normalize(destination).replace(/(.)\/+$/, '$1');
  if (clean === '/') throw new InvalidArgument(`invalid specification: destination can't be '/'`);
  return clean;
}

/** The mode part of `-v src:dst:mode` (moby's linux parser): rw|ro, z|Z, a propagation, nocopy, consistency. */
function parseBindMode(mode: string): { readOnly: boolean; propagation?: string; nocopy: boolean } {
  let rwSeen = 0;
  let labelSeen = 0;
  let propSeen = 0;
  let copySeen = 0;
  let consistencySeen = 0;
  let readOnly = false;
  let propagation: string | undefined;
  for (const o of mode.split(',')) {
    if (o === 'rw' || o === 'ro') {
      rwSeen++;
      readOnly = o === 'ro';
    } else if (o === 'z' || o === 'Z') {
      // SELinux relabelling: berth does not run with SELinux labels, so there is nothing to do.
      labelSeen++;
    } else if (propagations.has(o)) {
      propSeen++;
      propagation = o;
    } else if (o === 'nocopy') {
      copySeen++;
    } else if (consistencies.has(o)) {
      consistencySeen++;
    } else {
      throw new InvalidArgument(`invalid mode: ${mode}`);
    }
  }
  if (rwSeen > 1 || labelSeen > 1 || propSeen > 1 || copySeen > 1 || consistencySeen > 1) {
    throw new InvalidArgument(`invalid mode: ${mode}`);
  }
  return { readOnly, ...(propagation ? { propagation } : {}), nocopy: copySeen > 0 };
}

/** One `-v` entry. Missing host directories are created, as Docker does for -v (not for --mount). */
export async function parseBind(raw: string, inputs: MountInputs): Promise<UserMount> {
  const parts = raw.split(':');
  let source = '';
  let destination: string;
  let mode = '';
  if (parts.length === 2) {
    [source, destination] = parts as [string, string];
  } else if (parts.length === 3) {
    [source, destination, mode] = parts as [string, string, string];
  } else if (parts.length === 1) {
    throw new Unsupported(`anonymous volumes are not supported yet: '${raw}'`);
  } else {
    throw new InvalidArgument(`invalid volume specification: '${raw}'`);
  }
  if (source === '' || destination === '') throw new InvalidArgument(`invalid volume specification: '${raw}'`);
  let dest: string;
  try {
    dest = checkDestination(destination, 'bind');
  } catch (err) {
    throw new InvalidArgument(`invalid volume specification: '${raw}': ${(err as Error).message}`);
  }
  const parsed = mode ? parseBindMode(mode) : { readOnly: false, nocopy: false };
  if (!source.startsWith('/')) {
    if (!VOLUME_NAME.test(source)) {
      throw new InvalidArgument(
        `create ${source}: "${source}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
      );
    }
    if (!inputs.resolveVolume) throw new Unsupported(`named volumes are not supported yet: '${raw}'`);
    return { kind: 'bind', destination: dest, source: inputs.resolveVolume(source), readOnly: parsed.readOnly, recursive: true, ...propagation(parsed.propagation) };
  }
  if (parsed.nocopy) throw new InvalidArgument(`invalid mode: ${mode}`);
  const hostPath = posix.normalize(source);
  if (!existsSync(hostPath) && inputs.createMissing !== false) await createBindSource(hostPath);
  return { kind: 'bind', destination: dest, source: hostPath, readOnly: parsed.readOnly, recursive: true, ...propagation(parsed.propagation) };
}

const propagation = (p: string | undefined) => (p ? { propagation: p } : {});

/** One `--mount` entry: bind (the source must exist), tmpfs, or volume (through resolveVolume). */
export async function parseMount(m: DockerMount, inputs: MountInputs): Promise<UserMount> {
  const type = m.Type ?? '';
  const where = `invalid mount config for type "${type}"`;
  switch (type) {
    case 'bind': {
      if (!m.Source) throw new InvalidArgument(`${where}: field Source must not be empty`);
      const destination = checkDestination(m.Target ?? '', type);
      if (!m.Source.startsWith('/')) throw new InvalidArgument(`${where}: invalid mount path: '${m.Source}' mount path must be absolute`);
      if (m.TmpfsOptions) throw new InvalidArgument(`${where}: field TmpfsOptions must not be specified`);
      if (m.VolumeOptions) throw new InvalidArgument(`${where}: field VolumeOptions must not be specified`);
      const source = posix.normalize(m.Source);
      if (!existsSync(source)) {
        if (m.BindOptions?.CreateMountpoint) {
          if (inputs.createMissing !== false) await createBindSource(source);
        }
        else throw new InvalidArgument(`${where}: bind source path does not exist: ${source}`);
      }
      const p = m.BindOptions?.Propagation;
      if (p && !propagations.has(p)) throw new InvalidArgument(`${where}: invalid propagation mode: ${p}`);
      return { kind: 'bind', destination, source, readOnly: m.ReadOnly ?? false, recursive: !m.BindOptions?.NonRecursive, ...propagation(p || undefined) };
    }
    case 'tmpfs': {
      if (m.Source) throw new InvalidArgument(`${where}: field Source must not be specified`);
      if (m.BindOptions) throw new InvalidArgument(`${where}: field BindOptions must not be specified`);
      if (m.VolumeOptions) throw new InvalidArgument(`${where}: field VolumeOptions must not be specified`);
      const destination = checkDestination(m.Target ?? '', type);
      const t = m.TmpfsOptions ?? {};
      const data: string[] = [];
      if (t.SizeBytes !== undefined && t.SizeBytes !== 0) {
        if (t.SizeBytes < 0) throw new InvalidArgument(`${where}: invalid tmpfs size: ${t.SizeBytes}`);
        data.push(`size=${Math.floor(t.SizeBytes / 1024)}k`);
      }
      if (t.Mode) data.push(`mode=${t.Mode.toString(8)}`);
      for (const option of t.Options ?? []) data.push(option.join('='));
      return { kind: 'tmpfs', destination, readOnly: m.ReadOnly ?? false, data: data.join(',') };
    }
    case 'volume': {
      const destination = checkDestination(m.Target ?? '', type);
      if (!m.Source) throw new Unsupported('anonymous volumes are not supported yet');
      if (!inputs.resolveVolume) throw new Unsupported(`named volumes are not supported yet: ${m.Source}`);
      return { kind: 'bind', destination, source: inputs.resolveVolume(m.Source), readOnly: m.ReadOnly ?? false, recursive: true };
    }
    default:
      throw new InvalidArgument(`${where}: mount type unknown`);
  }
}

/** HostConfig.Tmpfs: container path → options ("rw,size=64m"). */
export function parseTmpfsEntry(destination: string, options: string): UserMount {
  const dest = checkDestination(destination, 'tmpfs');
  return { kind: 'tmpfs', destination: dest, readOnly: false, data: options };
}

/** The flags a tmpfs option can switch off again, as moby's MergeTmpfsOptions knows them. */
const opposites: Record<string, string> = {
  exec: 'noexec', noexec: 'exec', suid: 'nosuid', nosuid: 'suid', dev: 'nodev', nodev: 'dev',
  rw: 'ro', ro: 'rw', atime: 'noatime', noatime: 'atime', diratime: 'nodiratime', nodiratime: 'diratime',
  strictatime: 'nostrictatime', nostrictatime: 'strictatime', relatime: 'norelatime', norelatime: 'relatime',
};

/** Docker's tmpfs options: noexec,nosuid,nodev,rprivate then the user's; later ones win. */
export function mergeTmpfsOptions(data: string | undefined): string[] {
  const merged: string[] = [];
  const input = ['noexec', 'nosuid', 'nodev', defaultPropagation, ...(data ? data.split(',').filter(Boolean) : [])];
  for (const option of input) {
    const key = option.includes('=') ? option.slice(0, option.indexOf('=') + 1) : option;
    let i: number;
    if (propagations.has(option)) {
      i = merged.findIndex((o) => propagations.has(o));
    } else if (key.endsWith('=')) {
      if (!['size=', 'mode=', 'uid=', 'gid=', 'nr_inodes=', 'nr_blocks=', 'mpol=', 'huge='].includes(key)) {
        throw new InvalidArgument(`invalid tmpfs option ["${option}"]`);
      }
      i = merged.findIndex((o) => o.startsWith(key));
    } else if (option in opposites) {
      i = merged.findIndex((o) => o === option || o === opposites[option]);
    } else if (['sync', 'async', 'dirsync', 'mand', 'nomand', 'remount', 'tmpcopyup'].includes(option)) {
      i = merged.indexOf(option);
    } else {
      throw new InvalidArgument(`invalid tmpfs option ["${option}"]`);
    }
    if (i >= 0) merged.splice(i, 1);
    merged.push(option);
  }
  return merged;
}

/** A user mount as an OCI mount. */
export function ociMount(m: UserMount): Mount {
  if (m.kind === 'tmpfs') {
    const options = mergeTmpfsOptions(m.data);
    if (m.readOnly && !options.includes('ro')) options.push('ro');
    return { destination: m.destination, type: 'tmpfs', source: 'tmpfs', options };
  }
  const options = [m.recursive === false ? 'bind' : 'rbind'];
  if (m.readOnly) options.push('ro');
  options.push(m.propagation ?? defaultPropagation);
  return { destination: m.destination, type: 'bind', source: m.source!, options };
}

/** moby's sortMounts: by the number of path components of the destination, shallow first, stable. */
export function sortByDepth<T extends { destination: string }>(mounts: T[]): T[] {
  const depth = (d: string) => posix.normalize(d).split('/').filter(Boolean).length;
  return mounts.map((m, i) => ({ m, i })).sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.i - b.i).map((x) => x.m);
}

/** All user mounts of a HostConfig, checked for duplicate destinations ("Duplicate mount point"). */
export async function userMounts(inputs: MountInputs): Promise<UserMount[]> {
  const h = inputs.hostConfig;
  const mounts: UserMount[] = [];
  for (const raw of h.Binds ?? []) mounts.push(await parseBind(raw, inputs));
  for (const m of h.Mounts ?? []) mounts.push(await parseMount(m, inputs));
  for (const [destination, options] of Object.entries(h.Tmpfs ?? {})) mounts.push(parseTmpfsEntry(destination, options));
  const seen = new Set<string>();
  for (const m of mounts) {
    if (seen.has(m.destination)) throw new InvalidArgument(`Duplicate mount point: ${m.destination}`);
    seen.add(m.destination);
  }
  return mounts;
}
