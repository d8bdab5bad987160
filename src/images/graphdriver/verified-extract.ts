// Applies a layer blob to a directory while hashing its uncompressed bytes, and checks them
// against the diff ID the image config promised. The blob's own digest was checked when it was
// stored; the diff ID ties the *content* to the image, and a lying blob must never become a layer.
import { Readable } from 'node:stream';
import { InvalidArgument } from '../../errors.js';
import { DigestVerifier } from '../digest.js';
import { applyLayer, type ApplyLayerResult } from '../layers/apply.js';
import { decompressLayer } from '../layers/decompress.js';
import type { WhiteoutMode } from '../layers/whiteouts.js';

export interface VerifiedExtractOptions {
  whiteouts: WhiteoutMode;
  expectedDiffId: string;
  layerDigest: string;
}

/**
 * Extracts `blob` into `targetDir` (which the caller discards on any error). Throws
 * InvalidArgument when the uncompressed content does not hash to `expectedDiffId`.
 */
export async function extractVerifiedLayer(
  blob: Readable,
  targetDir: string,
  options: VerifiedExtractOptions,
): Promise<ApplyLayerResult> {
  const verifier = new DigestVerifier(options.expectedDiffId);
  const layerName = `layer ${options.layerDigest}`;
  const plain = decompressLayer(chunksOf(blob), layerName)[Symbol.asyncIterator]();
  let sourceDone = false;

  // Pulls from `plain` by hand: when the tar parser stops at the end-of-archive blocks and its
  // stream is closed, `plain` stays open, so the bytes after (padding) can still be hashed.
  async function* hashed(): AsyncGenerator<Buffer> {
    for (;;) {
      const next = await plain.next();
      if (next.done) {
        sourceDone = true;
        return;
      }
      verifier.update(next.value);
      yield next.value;
    }
  }

  try {
    const result = await applyLayer(Readable.from(hashed(), { objectMode: false }), targetDir, {
      whiteouts: options.whiteouts,
      digest: options.layerDigest,
    });
    while (!sourceDone) {
      const next = await plain.next();
      if (next.done) sourceDone = true;
      else verifier.update(next.value);
    }
    checkDiffId(verifier, options);
    // applyLayer counts what it read; the diff ID covers the whole stream.
    return { ...result, size: verifier.size };
  } finally {
    if (!sourceDone) {
      await plain.return(undefined).catch(() => {});
      blob.destroy();
    }
  }
}

function checkDiffId(verifier: DigestVerifier, options: VerifiedExtractOptions): void {
  try {
    verifier.verify();
  } catch (err) {
    // DigestVerifier says "digest mismatch: expected X, got Y"; the message here names the layer.
    const got = /got (\S+)$/.exec(err instanceof Error ? err.message : '')?.[1] ?? 'a different digest';
    throw new InvalidArgument(
      `layer ${options.layerDigest}: content does not match diff ID ${options.expectedDiffId} from the image config (got ${got})`,
      { cause: err },
    );
  }
}

async function* chunksOf(stream: Readable): AsyncGenerator<Buffer> {
  for await (const chunk of stream) yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
}
