// Seccomp actions: the profile's names to the SECCOMP_RET_* values a filter returns.

import { InvalidArgument, Unsupported } from '../../errors.js';
import { seccompActions } from '../spec/validate.js';

// linux/seccomp.h
export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_KILL_THREAD = 0x00000000;
export const SECCOMP_RET_TRAP = 0x00030000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_TRACE = 0x7ff00000;
export const SECCOMP_RET_LOG = 0x7ffc0000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
/** The 16 bits of a return value that carry an errno or a tracer's message. */
const SECCOMP_RET_DATA = 0x0000ffff;
const EPERM = 1;

/** What a filter returns for a system call of an architecture it does not cover. */
export const badArchAction = SECCOMP_RET_KILL_PROCESS;

/**
 * Actions berth can put in a filter. SCMP_ACT_NOTIFY is missing: it needs a listener file
 * descriptor handed to an agent (listenerPath), which berth does not implement.
 */
export const knownSeccompActions: readonly string[] = seccompActions.filter((a) => a !== 'SCMP_ACT_NOTIFY');

/**
 * The SECCOMP_RET_* value of `action`. `errnoRet` is the errno of ERRNO (the tracer's message
 * for TRACE), EPERM when absent, as runc does. `field` names the action and `errnoField` the
 * errno in error messages.
 */
export function actionValue(action: unknown, errnoRet: unknown, field: string, errnoField: string): number {
  const takesErrno = action === 'SCMP_ACT_ERRNO' || action === 'SCMP_ACT_TRACE';
  if (errnoRet !== undefined) {
    if (typeof errnoRet !== 'number' || !Number.isInteger(errnoRet) || errnoRet < 0 || errnoRet > SECCOMP_RET_DATA) {
      throw new InvalidArgument(`${errnoField}: must be an integer from 0 to ${SECCOMP_RET_DATA}`);
    }
    // The runtime-spec: an errno on an action that cannot return one MUST fail.
    if (!takesErrno && knownSeccompActions.includes(action as string)) {
      throw new InvalidArgument(`${errnoField}: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not ${String(action)}`);
    }
  }
  const data = (errnoRet ?? EPERM) as number;
  switch (action) {
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_KILL_THREAD':
      return SECCOMP_RET_KILL_THREAD;
    case 'SCMP_ACT_KILL_PROCESS':
      return SECCOMP_RET_KILL_PROCESS;
    case 'SCMP_ACT_TRAP':
      return SECCOMP_RET_TRAP;
    case 'SCMP_ACT_ERRNO':
      return SECCOMP_RET_ERRNO | data;
    case 'SCMP_ACT_TRACE':
      return SECCOMP_RET_TRACE | data;
    case 'SCMP_ACT_ALLOW':
      return SECCOMP_RET_ALLOW;
    case 'SCMP_ACT_LOG':
      return SECCOMP_RET_LOG;
    case 'SCMP_ACT_NOTIFY':
      throw new Unsupported(
        `${field}: SCMP_ACT_NOTIFY needs a seccomp user-notification listener handed to an agent, which berth does not support`,
      );
    default:
      throw new InvalidArgument(`${field}: unknown action ${JSON.stringify(action)}`);
  }
}
