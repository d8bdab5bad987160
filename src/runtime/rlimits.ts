// Resource limit names as the OCI spec writes them (RLIMIT_NOFILE, ...) and the resource numbers
// setrlimit(2)/prlimit(2) take on Linux. These are the asm-generic numbers, which x86, arm,
// arm64, riscv, s390 and powerpc share; alpha, mips and sparc number some of them differently
// and berth does not run there.

import { InvalidArgument } from '../errors.js';

export const rlimitTypes: readonly string[] = [
  'RLIMIT_CPU', // 0
  'RLIMIT_FSIZE',
  'RLIMIT_DATA',
  'RLIMIT_STACK',
  'RLIMIT_CORE',
  'RLIMIT_RSS', // 5
  'RLIMIT_NPROC',
  'RLIMIT_NOFILE',
  'RLIMIT_MEMLOCK',
  'RLIMIT_AS',
  'RLIMIT_LOCKS', // 10
  'RLIMIT_SIGPENDING',
  'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE',
  'RLIMIT_RTPRIO',
  'RLIMIT_RTTIME', // 15
];

const numberByType = new Map(rlimitTypes.map((type, number) => [type, number]));

/** The resource number for an rlimit type; InvalidArgument naming `field` when it is unknown. */
export function rlimitNumber(type: string, field: string): number {
  const number = numberByType.get(type);
  if (number === undefined) {
    throw new InvalidArgument(
      `${field}: unknown rlimit type ${JSON.stringify(type)} (known: ${rlimitTypes.join(', ')})`,
    );
  }
  return number;
}

/** RLIM_INFINITY: the all-ones 64-bit value. */
export const rlimitInfinity = 2n ** 64n - 1n;

/**
 * A limit from config.json as the 64-bit value the kernel takes. JSON numbers are doubles, so
 * the unlimited value 18446744073709551615 that Go runtimes write arrives as 2^64 after
 * JSON.parse; anything at or above 2^64 therefore means RLIM_INFINITY. Integers above 2^53
 * below that have already lost precision in parsing and are passed on as parsed.
 */
export function rlimitValue(value: number): bigint {
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidArgument(`rlimit value ${value} is not a non-negative integer`);
  }
  return value >= 2 ** 64 ? rlimitInfinity : BigInt(value);
}
