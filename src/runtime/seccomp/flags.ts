// linux.seccomp.flags: the SECCOMP_FILTER_FLAG_* bits passed to seccomp(SECCOMP_SET_MODE_FILTER).

import { InvalidArgument, Unsupported } from '../../errors.js';
import type { Seccomp } from '../spec/types.js';

// linux/seccomp.h
const filterFlags: Readonly<Record<string, number>> = {
  SECCOMP_FILTER_FLAG_TSYNC: 1,
  SECCOMP_FILTER_FLAG_LOG: 2,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: 4,
};

/** Flags berth passes on. */
export const knownSeccompFlags: readonly string[] = Object.keys(filterFlags);

export function seccompFilterFlags(seccomp: Seccomp): number {
  if (seccomp.flags !== undefined && !Array.isArray(seccomp.flags)) throw new InvalidArgument('linux.seccomp.flags: must be an array');
  let flags = 0;
  (seccomp.flags ?? []).forEach((name, i) => {
    const field = `linux.seccomp.flags[${i}]`;
    if (name === 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV') {
      // The kernel only takes it with SECCOMP_FILTER_FLAG_NEW_LISTENER, i.e. with SCMP_ACT_NOTIFY.
      throw new Unsupported(`${field}: ${name} only applies to seccomp user notification, which berth does not support`);
    }
    const bit = Object.hasOwn(filterFlags, name) ? filterFlags[name] : undefined;
    if (bit === undefined) throw new InvalidArgument(`${field}: unknown flag ${JSON.stringify(name)}`);
    flags |= bit;
  });
  return flags;
}
