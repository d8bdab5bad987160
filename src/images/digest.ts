// Content digests ("sha256:<hex>"), as OCI and Docker write them. Everything berth stores or
// fetches is addressed by one, so a digest string is validated before it names a file or a URL:
// the hex part must have exactly the algorithm's length in lowercase hexadecimal, which leaves
// no room for "/", ".." or anything else a path could be built from.
import { createHash, type Hash } from 'node:crypto';
import { InvalidArgument } from '../errors.js';

/** The algorithms berth computes; go-digest's others (sha384) are refused as unsupported. */
export type DigestAlgorithm = 'sha256' | 'sha512';

export type Digest = `${DigestAlgorithm}:${string}`;

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  /** The lowercase hexadecimal part. */
  hex: string;
  digest: Digest;
}

const hexLengths: Readonly<Record<DigestAlgorithm, number>> = { sha256: 64, sha512: 128 };

// go-digest's grammar: algorithm-component ("+"|"."|"_"|"-" algorithm-component)* ":" encoded.
const algorithmGrammar = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*$/;
const encodedGrammar = /^[a-zA-Z0-9=_-]+$/;
const lowerHex = /^[0-9a-f]+$/;

function isSupported(algorithm: string): algorithm is DigestAlgorithm {
  return Object.hasOwn(hexLengths, algorithm);
}

/** What is wrong with `text` as a digest, or undefined when it is a valid one. */
export function digestProblem(text: string): string | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) {
    return 'a digest is an algorithm and a hexadecimal hash separated by ":", such as sha256:<64 hex digits>';
  }
  const algorithm = text.slice(0, colon);
  const hex = text.slice(colon + 1);
  if (!algorithmGrammar.test(algorithm) || !encodedGrammar.test(hex)) {
    return 'invalid checksum digest format';
  }
  if (!isSupported(algorithm)) {
    return `unsupported digest algorithm "${algorithm}" (berth supports sha256 and sha512)`;
  }
  const want = hexLengths[algorithm];
  if (hex.length !== want) {
    return `invalid checksum digest length: ${algorithm} needs ${want} hexadecimal digits, not ${hex.length}`;
  }
  if (!lowerHex.test(hex)) return 'invalid checksum digest format: the hash must be lowercase hexadecimal (0-9, a-f)';
  return undefined;
}

export function isDigest(text: string): text is Digest {
  return digestProblem(text) === undefined;
}

/** Splits and validates a digest; InvalidArgument names the input and what is wrong with it. */
export function parseDigest(text: string): ParsedDigest {
  const problem = digestProblem(text);
  if (problem !== undefined) throw new InvalidArgument(`invalid digest "${text}": ${problem}`);
  const colon = text.indexOf(':');
  return { algorithm: text.slice(0, colon) as DigestAlgorithm, hex: text.slice(colon + 1), digest: text as Digest };
}

export function digestOf(algorithm: DigestAlgorithm, data: Uint8Array | string): Digest {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

export function sha256Digest(data: Uint8Array | string): Digest {
  return digestOf('sha256', data);
}

/**
 * Hashes content as it streams past, counting bytes, and checks it against the digest (and
 * size, when known) it was asked for. `update` throws as soon as the content outgrows the
 * expected size, so a hostile source cannot make berth read (or store) more than it agreed to.
 */
export class DigestVerifier {
  readonly expected: ParsedDigest;
  private readonly hash: Hash;
  private bytes = 0;

  constructor(
    expected: string,
    readonly expectedSize?: number,
  ) {
    this.expected = parseDigest(expected);
    if (expectedSize !== undefined && !(Number.isSafeInteger(expectedSize) && expectedSize >= 0)) {
      throw new InvalidArgument(`invalid size ${expectedSize} for ${expected}: expected a whole number of bytes`);
    }
    this.hash = createHash(this.expected.algorithm);
  }

  /** Bytes seen so far. */
  get size(): number {
    return this.bytes;
  }

  update(chunk: Uint8Array): void {
    const total = this.bytes + chunk.length;
    if (this.expectedSize !== undefined && total > this.expectedSize) {
      throw new InvalidArgument(
        `size mismatch for ${this.expected.digest}: expected ${this.expectedSize} bytes, got more (at least ${total})`,
      );
    }
    this.hash.update(chunk);
    this.bytes = total;
  }

  /** Ends the hash; throws InvalidArgument on a size or digest mismatch, else returns the digest. */
  verify(): Digest {
    if (this.expectedSize !== undefined && this.bytes !== this.expectedSize) {
      throw new InvalidArgument(
        `size mismatch for ${this.expected.digest}: expected ${this.expectedSize} bytes, got ${this.bytes}`,
      );
    }
    const actual: Digest = `${this.expected.algorithm}:${this.hash.digest('hex')}`;
    if (actual !== this.expected.digest) {
      throw new InvalidArgument(`digest mismatch: expected ${this.expected.digest}, got ${actual}`);
    }
    return actual;
  }
}
