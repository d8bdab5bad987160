// The error kinds every part of berth throws. Only the API edge (later: daemon/server/errors.ts)
// and the command lines turn them into wire codes or exit statuses.

export type ErrorKind =
  | 'NotFound'
  | 'InvalidArgument'
  | 'Conflict'
  | 'Forbidden'
  | 'Unauthenticated'
  | 'FailedPrecondition'
  | 'Unavailable'
  | 'Unsupported'
  | 'Internal';

export class BerthError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = kind;
  }
}

export class NotFound extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NotFound', message, options);
  }
}

export class InvalidArgument extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidArgument', message, options);
  }
}

export class Conflict extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Conflict', message, options);
  }
}

/** Refused whatever the state: removing a predefined network. */
export class Forbidden extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Forbidden', message, options);
  }
}

/** Credentials were refused (a registry login). */
export class Unauthenticated extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Unauthenticated', message, options);
  }
}

export class FailedPrecondition extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FailedPrecondition', message, options);
  }
}

export class Unsupported extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Unsupported', message, options);
  }
}

export class Internal extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Internal', message, options);
  }
}

/** The errno code of a Node system error, if it is one. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}
