// Devices: HostConfig.Devices (`--device /dev/x[:/dev/y[:rwm]]`), DeviceCgroupRules
// (`--device-cgroup-rule 'c 1:3 rwm'`) and, for privileged containers, every device of the host,
// as runc's devices.HostDevices finds them.
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgument, errnoCode } from '../../../../errors.js';
import type { DeviceMapping } from '../../../../api/types/container-config.js';
import type { Device, DeviceCgroupRule } from '../../../../runtime/spec/types.js';

/** Linux's dev_t split (glibc's major()/minor()). */
export function splitDev(rdev: bigint): { major: number; minor: number } {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}

/** The device node at `path`, or undefined when it is not a character or block device. */
function deviceAt(path: string, containerPath: string): Device | undefined {
  const st = statSync(path, { bigint: true });
  const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : undefined;
  if (!type) return undefined;
  return {
    type,
    path: containerPath,
    ...splitDev(st.rdev),
    fileMode: Number(st.mode & 0o777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
  };
}

const RULE = /^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/;

/** A `--device-cgroup-rule` line as a spec rule. */
export function parseDeviceCgroupRule(text: string): DeviceCgroupRule {
  const m = RULE.exec(text);
  if (!m) throw new InvalidArgument(`invalid device cgroup rule format: '${text}'`);
  const num = (s: string) => (s === '*' ? null : Number(s));
  return { allow: true, type: m[1] as 'a' | 'c' | 'b', major: num(m[2]!), minor: num(m[3]!), access: m[4]! };
}

export interface DeviceSetup {
  devices: Device[];
  rules: DeviceCgroupRule[];
}

/** HostConfig.Devices: each host device (or every device under a host directory) and its allow rule. */
export function mappedDevices(mappings: readonly DeviceMapping[]): DeviceSetup {
  const setup: DeviceSetup = { devices: [], rules: [] };
  for (const m of mappings) {
    const hostPath = m.PathOnHost ?? '';
    const containerPath = m.PathInContainer || hostPath;
    const access = m.CgroupPermissions || 'rwm';
    if (!/^[rwm]{1,3}$/.test(access)) throw new InvalidArgument(`invalid device mode: ${access}`);
    const add = (host: string, inContainer: string) => {
      const device = deviceAt(host, inContainer);
      if (!device) return false;
      setup.devices.push(device);
      setup.rules.push({ allow: true, type: device.type as 'c' | 'b', major: device.major!, minor: device.minor!, access });
      return true;
    };
    try {
      if (statSync(hostPath).isDirectory()) {
        for (const name of walkDevices(hostPath)) add(name, join(containerPath, name.slice(hostPath.length)));
        continue;
      }
      if (!add(hostPath, containerPath)) throw new InvalidArgument(`error gathering device information while adding custom device "${hostPath}": not a device node`);
    } catch (err) {
      if (err instanceof InvalidArgument) throw err;
      const reason = errnoCode(err) === 'ENOENT' ? 'no such file or directory' : (err as Error).message;
      throw new InvalidArgument(`error gathering device information while adding custom device "${hostPath}": ${reason}`);
    }
  }
  return setup;
}

/** Directories under /dev that hold no devices of the host's own (runc's HostDevices skips them). */
const skippedDirs = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

function walkDevices(dir: string): string[] {
  const found: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return found;
  }
  for (const name of names) {
    const path = join(dir, name);
    let st;
    try {
      st = lstatSync(path);
    } catch {
      continue;
    }
    if (st.isDirectory()) {
      if (!skippedDirs.has(name)) found.push(...walkDevices(path));
    } else if ((st.isCharacterDevice() || st.isBlockDevice()) && path !== '/dev/console') {
      found.push(path);
    }
  }
  return found;
}

/** Every device of the host, for a privileged container. */
export function hostDevices(devDir = '/dev'): Device[] {
  const devices: Device[] = [];
  for (const path of walkDevices(devDir)) {
    try {
      const device = deviceAt(path, path);
      // /dev/ptmx and the tty of the daemon belong to the container's own devpts and console.
      if (device && path !== '/dev/ptmx') devices.push(device);
    } catch {
      // gone while walking
    }
  }
  return devices;
}
