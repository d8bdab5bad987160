// Compiled filters by profile: a daemon runs the same few profiles (Docker's default, for a
// handful of capability sets) over and over, and compiling one costs milliseconds of a
// container's start. Keyed by the profile's JSON; a few entries are plenty.
import type { Seccomp } from '../spec/types.js';
import { compileSeccompFilter } from './compile.js';
import { seccompFilterFlags } from './flags.js';

export interface CompiledSeccomp {
  program: Buffer;
  flags: number;
}

const maxEntries = 8;
const compiled = new Map<string, CompiledSeccomp>();

export function compileSeccompCached(seccomp: Seccomp): CompiledSeccomp {
  const key = JSON.stringify(seccomp);
  const hit = compiled.get(key);
  if (hit) {
    // Most recently used last, so that the oldest is the one evicted.
    compiled.delete(key);
    compiled.set(key, hit);
    return hit;
  }
  const entry = { program: compileSeccompFilter(seccomp), flags: seccompFilterFlags(seccomp) };
  compiled.set(key, entry);
  if (compiled.size > maxEntries) compiled.delete(compiled.keys().next().value!);
  return entry;
}
