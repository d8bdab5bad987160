// Seccomp: linux.seccomp compiled into the classic BPF filter berth-init loads before execve.

export { compileSeccompFilter } from './compile.js';
export { compileSeccompCached, type CompiledSeccomp } from './cache.js';
export { seccompFilterFlags, knownSeccompFlags } from './flags.js';
export { knownSeccompActions } from './actions.js';
export { knownSeccompOperators } from './conditions.js';
export { knownSeccompArchitectures } from './arch.js';
