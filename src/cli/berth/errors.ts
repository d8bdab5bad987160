// How berth reports a failure, as docker does: daemon errors prefixed "Error response from
// daemon:", usage errors with a pointer to --help, never a stack trace for an anticipated one.
import { ApiError, DaemonUnreachable } from '../../api/client.js';
import { BerthError } from '../../errors.js';
import { TemplateError } from './format/template.js';
import { StreamedError } from './progress.js';

export function describeFailure(err: unknown): string {
  if (err instanceof ApiError) return `Error response from daemon: ${err.message}`;
  // An error in a pull's or push's message stream is shown as docker shows it: the message alone.
  if (err instanceof DaemonUnreachable || err instanceof BerthError || err instanceof TemplateError || err instanceof StreamedError) return err.message;
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string') return err.message;
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
