// Reads a bundle's config.json (runtime-spec bundle.md), validates it and locates its root
// filesystem.

import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { errnoCode, InvalidArgument, NotFound } from '../../errors.js';
import type { Spec } from './types.js';
import { validateSpec } from './validate.js';

export interface BundleSpec {
  spec: Spec;
  /** root.path resolved against the bundle: an absolute path to an existing directory. */
  rootfs: string;
  /** The bundle directory as an absolute path, as the container's state reports it. */
  bundle: string;
}

export async function loadBundleSpec(bundleDir: string): Promise<BundleSpec> {
  const bundle = resolve(bundleDir);
  const configPath = join(bundle, 'config.json');

  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') {
      throw new NotFound(`${configPath} does not exist: the bundle has no config.json`, { cause: err });
    }
    throw err;
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgument(`${configPath}: ${describeJsonError(text, err)}`, { cause: err });
  }

  const spec = validateSpec(parsed, configPath);
  // root.path may be absolute or relative to the bundle (runtime-spec config.md#root).
  const rootfs = resolve(bundle, spec.root!.path);
  let rootfsStat;
  try {
    rootfsStat = await stat(rootfs);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') {
      throw new NotFound(`${configPath}: root.path ${rootfs} does not exist`, { cause: err });
    }
    throw err;
  }
  if (!rootfsStat.isDirectory()) {
    throw new InvalidArgument(`${configPath}: root.path ${rootfs} is not a directory`);
  }
  return { spec, rootfs, bundle };
}

/** "invalid JSON at line L, column C: <reason>", with the position found even when V8 omits it. */
function describeJsonError(text: string, err: unknown): string {
  const reason = err instanceof Error ? err.message : String(err);
  const reported = /at position (\d+)/.exec(reason);
  const position = reported ? Number(reported[1]) : firstJsonErrorPosition(text);
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - (before.lastIndexOf('\n') + 1) + 1;
  return `invalid JSON at line ${line}, column ${column} (position ${position}): ${reason}`;
}

/**
 * The offset of the first syntax error in `text`, which JSON.parse has rejected. V8 only says
 * "Unexpected token" for some errors without saying where, and a config.json is often long.
 * This scanner follows RFC 8259 just far enough to find where parsing must stop.
 */
export function firstJsonErrorPosition(text: string): number {
  let at = 0;
  const fail = (): never => {
    throw at;
  };
  const whitespace = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at++;
  };
  const expect = (char: string) => {
    if (text[at] !== char) fail();
    at++;
  };
  const literal = (word: string) => {
    for (const char of word) expect(char);
  };
  const string = () => {
    expect('"');
    for (;;) {
      if (at >= text.length) fail();
      const char = text[at]!;
      if (char === '"') {
        at++;
        return;
      }
      if (char < ' ') fail();
      if (char === '\\') {
        at++;
        const escape = text[at];
        if (escape === 'u') {
          at++;
          for (let i = 0; i < 4; i++) {
            if (!/[0-9a-fA-F]/.test(text[at] ?? '')) fail();
            at++;
          }
          continue;
        }
        if (escape === undefined || !'"\\/bfnrt'.includes(escape)) fail();
      }
      at++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match || match[0] === '-' || match[0] === '') fail();
    at += match![0].length;
  };
  const value = (): void => {
    whitespace();
    const char = text[at];
    if (char === '{') {
      at++;
      whitespace();
      if (text[at] === '}') {
        at++;
        return;
      }
      for (;;) {
        whitespace();
        string();
        whitespace();
        expect(':');
        value();
        whitespace();
        if (text[at] === ',') {
          at++;
          continue;
        }
        expect('}');
        return;
      }
    }
    if (char === '[') {
      at++;
      whitespace();
      if (text[at] === ']') {
        at++;
        return;
      }
      for (;;) {
        value();
        whitespace();
        if (text[at] === ',') {
          at++;
          continue;
        }
        expect(']');
        return;
      }
    }
    if (char === '"') return string();
    if (char === 't') return literal('true');
    if (char === 'f') return literal('false');
    if (char === 'n') return literal('null');
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return number();
    fail();
  };
  try {
    value();
    whitespace();
    if (at < text.length) fail();
    // The scanner accepts it; report the end rather than invent a position.
    return text.length;
  } catch (position) {
    if (typeof position === 'number') return Math.min(position, text.length);
    throw position;
  }
}
