// The one place where berth's error kinds become HTTP statuses, with Docker's JSON error shape
// ({"message": "..."}). Anything that is not a BerthError is a real fault: 500, and logged.
import { BerthError, type ErrorKind } from '../../errors.js';

const statusOfKind: Record<ErrorKind, number> = {
  NotFound: 404,
  InvalidArgument: 400,
  Conflict: 409,
  Forbidden: 403,
  Unauthenticated: 401,
  // Docker answers 409 for "container is not running" and the like.
  FailedPrecondition: 409,
  Unavailable: 503,
  Unsupported: 501,
  Internal: 500,
};

/** A request that changed nothing because it was already done (start of a running container). */
export class NotModified extends Error {
  constructor() {
    super('not modified');
  }
}

export interface ErrorResponse {
  status: number;
  message: string;
}

export function errorResponse(err: unknown): ErrorResponse {
  if (err instanceof NotModified) return { status: 304, message: '' };
  if (err instanceof BerthError) return { status: statusOfKind[err.kind], message: err.message };
  return { status: 500, message: err instanceof Error ? err.message : String(err) };
}
