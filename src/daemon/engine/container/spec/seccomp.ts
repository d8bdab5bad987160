// The seccomp filter of one container: Docker's default profile (or a profile the client sent
// as text with `--security-opt seccomp=<file>`), narrowed to the container's capabilities and
// the host's architecture the way moby's profiles/seccomp.setupSeccomp does, into the OCI
// `linux.seccomp` that the runtime compiles.
import { release } from 'node:os';
import { BerthError, InvalidArgument } from '../../../../errors.js';
import { compileSeccompFilter } from '../../../../runtime/seccomp/index.js';
import { syscallTables, type SyscallTableArch } from '../../../../runtime/seccomp/syscalls/index.js';
import type { Seccomp, SeccompSyscall } from '../../../../runtime/spec/types.js';
import { dockerDefaultSeccompProfile, type DockerSeccompFilter, type DockerSeccompProfile, type DockerSeccompRule } from './seccomp-profile.js';

export interface SeccompTarget {
  /** The container's bounding set: what includes/excludes.caps are checked against (as moby does). */
  capabilities: readonly string[];
  /** Node's process.arch of the host. */
  hostArch?: string;
  /** The host's kernel release ("6.1.0-18-amd64"), for includes.minKernel. */
  kernelRelease?: string;
}

/** Node's arch names → Go's GOARCH, which Docker's profiles use in includes/excludes.arches. */
const goArch: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', s390x: 's390x', ppc64: 'ppc64le', riscv64: 'riscv64' };

/** The native libseccomp architecture of a host, the key into a profile's archMap. */
const nativeSeccompArch: Record<string, string> = {
  x64: 'SCMP_ARCH_X86_64',
  ia32: 'SCMP_ARCH_X86',
  arm64: 'SCMP_ARCH_AARCH64',
  arm: 'SCMP_ARCH_ARM',
  s390x: 'SCMP_ARCH_S390X',
  ppc64: 'SCMP_ARCH_PPC64LE',
  riscv64: 'SCMP_ARCH_RISCV64',
};

/** Docker's default profile for a container with these capabilities on this host. */
export function defaultSeccomp(target: SeccompTarget): Seccomp {
  return seccompForContainer(dockerDefaultSeccompProfile, target);
}

/**
 * A profile sent with `--security-opt seccomp=...`: the docker CLI reads the file and sends its
 * JSON text. Docker's own format (archMap, names/name, includes/excludes) and plain OCI
 * (architectures) are both accepted, as moby's LoadProfile does.
 */
export function customSeccomp(text: string, target: SeccompTarget): Seccomp {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgument(`Decoding seccomp profile failed: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidArgument('Decoding seccomp profile failed: the profile must be a JSON object');
  }
  const raw = json as Record<string, unknown>;
  if (raw.architectures !== undefined && raw.archMap !== undefined) {
    throw new InvalidArgument("Decoding seccomp profile failed: use either 'architectures' or 'archMap'");
  }
  const rules: DockerSeccompRule[] = [];
  for (const [i, entry] of (Array.isArray(raw.syscalls) ? raw.syscalls : []).entries()) {
    const rule = entry as Record<string, unknown> & DockerSeccompRule & { name?: string };
    if (typeof rule !== 'object' || rule === null) throw new InvalidArgument(`Decoding seccomp profile failed: syscalls[${i}] must be an object`);
    if (rule.name !== undefined && rule.names !== undefined && rule.names.length > 0) {
      throw new InvalidArgument("Decoding seccomp profile failed: use either 'name' or 'names'");
    }
    rules.push({ ...rule, names: rule.name !== undefined ? [rule.name] : (rule.names ?? []) });
  }
  const profile: DockerSeccompProfile = {
    defaultAction: raw.defaultAction as DockerSeccompProfile['defaultAction'],
    ...(typeof raw.defaultErrnoRet === 'number' ? { defaultErrnoRet: raw.defaultErrnoRet } : {}),
    archMap: Array.isArray(raw.archMap) ? (raw.archMap as DockerSeccompProfile['archMap']) : [],
    syscalls: rules,
  };
  const seccomp = seccompForContainer(profile, target);
  if (Array.isArray(raw.architectures)) seccomp.architectures = raw.architectures as string[];
  if (Array.isArray(raw.flags)) seccomp.flags = raw.flags as string[];
  if (typeof raw.listenerPath === 'string') seccomp.listenerPath = raw.listenerPath;
  // Compile now, so that a bad profile fails the request with the compiler's reason rather than
  // the container's start with a runtime error.
  try {
    compileSeccompFilter(seccomp, target.hostArch ?? process.arch);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new InvalidArgument(`Decoding seccomp profile failed: ${message}`, { cause: err instanceof BerthError ? err : undefined });
  }
  return seccomp;
}

function seccompForContainer(profile: DockerSeccompProfile, target: SeccompTarget): Seccomp {
  const hostArch = target.hostArch ?? process.arch;
  const arch = goArch[hostArch] ?? hostArch;
  const native = nativeSeccompArch[hostArch];
  const architectures: string[] = [];
  for (const entry of profile.archMap ?? []) {
    if (entry.architecture === native) architectures.push(entry.architecture, ...(entry.subArchitectures ?? []));
  }
  const knownNames = namesKnownTo(architectures.length ? architectures : native ? [native] : []);
  const kernel = target.kernelRelease ?? release();
  const syscalls: SeccompSyscall[] = [];
  for (const rule of profile.syscalls) {
    if (!applies(rule, arch, target.capabilities, kernel)) continue;
    // Docker hands every name to libseccomp, which skips the ones the host's architectures do
    // not have (an arm-only call on x86_64, or a call newer than libseccomp's tables). berth
    // does the same against its own tables, so the spec lists only calls the filter can match.
    const names = knownNames ? rule.names.filter((name) => knownNames.has(name)) : rule.names;
    if (names.length === 0) continue;
    const syscall: SeccompSyscall = { names, action: rule.action };
    if (rule.errnoRet !== undefined) syscall.errnoRet = rule.errnoRet;
    if (rule.args?.length) syscall.args = rule.args.map((a) => ({ ...a }));
    syscalls.push(syscall);
  }
  const seccomp: Seccomp = { defaultAction: profile.defaultAction, syscalls };
  if (profile.defaultErrnoRet !== undefined) seccomp.defaultErrnoRet = profile.defaultErrnoRet;
  if (architectures.length) seccomp.architectures = architectures;
  return seccomp;
}

/** Every name some listed ABI knows; undefined when berth has no table for any of them. */
function namesKnownTo(architectures: string[]): Set<string> | undefined {
  const tables = architectures.filter((a): a is SyscallTableArch => a in syscallTables);
  if (tables.length === 0) return undefined;
  const names = new Set<string>();
  for (const table of tables) for (const name of Object.keys(syscallTables[table])) names.add(name);
  return names;
}

/** moby's rule selection: excludes first (arch, then any cap held), then includes (arch, all caps, kernel). */
function applies(rule: DockerSeccompRule, arch: string, caps: readonly string[], kernel: string): boolean {
  const ex: DockerSeccompFilter = rule.excludes ?? {};
  const inc: DockerSeccompFilter = rule.includes ?? {};
  if (ex.arches?.includes(arch)) return false;
  if (ex.caps?.some((c) => caps.includes(c))) return false;
  if (inc.arches?.length && !inc.arches.includes(arch)) return false;
  if (inc.caps?.length && !inc.caps.every((c) => caps.includes(c))) return false;
  if (inc.minKernel && compareKernel(kernel, inc.minKernel) < 0) return false;
  return true;
}

/** Compares "major.minor" prefixes of two kernel versions. */
function compareKernel(a: string, b: string): number {
  const parse = (v: string) => (/^(\d+)\.(\d+)/.exec(v) ?? ['', '0', '0']).slice(1).map(Number) as [number, number];
  const [am, an] = parse(a);
  const [bm, bn] = parse(b);
  return am !== bm ? am - bm : an - bn;
}
