// How the command lines report a failure: one line naming what went wrong, never a stack
// trace for an error berth anticipated.
import { BerthError } from '../errors.js';

export class UsageError extends BerthError {
  constructor(message: string) {
    super('InvalidArgument', message);
  }
}

export function describeError(err: unknown): string {
  if (err instanceof BerthError) return err.message;
  if (err instanceof Error && 'code' in err && typeof (err as NodeJS.ErrnoException).syscall === 'string') {
    return err.message; // a system error, e.g. "EACCES: permission denied, open '/x'"
  }
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
