// v1 devices controller: the container may use only the devices the rules allow.
import type { DeviceCgroupRule } from '../../spec/types.js';
import type { ControlDir } from '../files.js';

/**
 * What every container may use besides the spec's own rules: runc's AllowedDevices (mknod of
 * anything, the standard character devices, ptys and /dev/net/tun), appended after the spec's
 * rules as runc's specconv does.
 */
export const DEFAULT_ALLOWED_DEVICES: DeviceCgroupRule[] = [
  { allow: true, type: 'c', major: null, minor: null, access: 'm' },
  { allow: true, type: 'b', major: null, minor: null, access: 'm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, // /dev/null
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' }, // /dev/random
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' }, // /dev/full
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' }, // /dev/tty
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' }, // /dev/zero
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' }, // /dev/urandom
  { allow: true, type: 'c', major: 136, minor: null, access: 'rwm' }, // /dev/pts/*
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' }, // /dev/ptmx
  { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' }, // /dev/net/tun
];

/** A rule as devices.allow/devices.deny take it: "c 1:3 rwm", "a" for every device. */
export function deviceRuleLine(rule: DeviceCgroupRule): string {
  const type = rule.type ?? 'a';
  if (type === 'a') return 'a';
  const number = (n: number | null | undefined) => (n === undefined || n === null || n < 0 ? '*' : String(n));
  return `${type} ${number(rule.major)}:${number(rule.minor)} ${rule.access || 'rwm'}`;
}

/** Denies everything, then replays the rules in order (later rules win), then the defaults. */
export async function setDevices(dir: ControlDir, rules: DeviceCgroupRule[]): Promise<void> {
  await dir.write('devices.deny', 'a', 'linux.resources.devices');
  const all = [...rules, ...DEFAULT_ALLOWED_DEVICES];
  for (const [i, rule] of all.entries()) {
    const field = i < rules.length ? `linux.resources.devices[${i}]` : 'default device rules';
    await dir.write(rule.allow ? 'devices.allow' : 'devices.deny', deviceRuleLine(rule), field);
  }
}
