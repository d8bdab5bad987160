// Capabilities (CapAdd/CapDrop/Privileged, moby's oci/caps TweakCapabilities) and SecurityOpt
// (moby's parseSecurityOpt).
import { InvalidArgument } from '../../../../errors.js';
import { allCapabilities, capabilityNumber, hostLastCapability } from '../../../../runtime/capabilities.js';
import { defaultCapabilities } from './defaults.js';

/** Every capability the running kernel has, for privileged containers and "ALL". */
export function allHostCapabilities(lastCapability = hostLastCapability()): string[] {
  return allCapabilities.slice(0, lastCapability + 1);
}

/** "net_admin", "NET_ADMIN", "cap_net_admin" → "CAP_NET_ADMIN"; "all" → "ALL"; unknown names refused. */
export function normalizeCapabilities(names: readonly string[] | null | undefined, field: 'CapAdd' | 'CapDrop'): string[] {
  const out: string[] = [];
  for (const raw of names ?? []) {
    let name = raw.toUpperCase();
    if (name !== 'ALL' && !name.startsWith('CAP_')) name = `CAP_${name}`;
    if (name !== 'ALL' && capabilityNumber(name) === undefined) {
      throw new InvalidArgument(`invalid ${field}: unknown capability: ${JSON.stringify(name)}`);
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** The container's capability list. */
export function containerCapabilities(capAdd: readonly string[] | null | undefined, capDrop: readonly string[] | null | undefined, privileged: boolean, lastCapability?: number): string[] {
  const adds = normalizeCapabilities(capAdd, 'CapAdd');
  const drops = normalizeCapabilities(capDrop, 'CapDrop');
  const all = allHostCapabilities(lastCapability);
  if (privileged) return all;
  if (adds.length === 0 && drops.length === 0) return [...defaultCapabilities];
  if (adds.includes('ALL')) return all.filter((c) => !drops.includes(c));
  // Dropping ALL leaves exactly what is added.
  if (drops.includes('ALL')) return adds.filter((c) => c !== 'ALL');
  const caps = defaultCapabilities.filter((c) => !drops.includes(c));
  for (const c of adds) if (!caps.includes(c)) caps.push(c);
  return caps;
}

export interface SecurityOptions {
  /** undefined: Docker's default profile; 'unconfined': none; otherwise the JSON text of a profile. */
  seccomp?: string;
  noNewPrivileges: boolean;
  apparmor?: string;
  labels: string[];
}

/** HostConfig.SecurityOpt, with moby's parsing and error messages. */
export function parseSecurityOpts(opts: readonly string[] | null | undefined): SecurityOptions {
  const result: SecurityOptions = { noNewPrivileges: false, labels: [] };
  for (const opt of opts ?? []) {
    if (opt === 'no-new-privileges') {
      result.noNewPrivileges = true;
      continue;
    }
    if (opt === 'disable') {
      result.labels.push('disable');
      continue;
    }
    // "=" is the separator; ":" is its deprecated older form.
    const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : undefined;
    if (!sep) throw new InvalidArgument(`invalid --security-opt 1: ${JSON.stringify(opt)}`);
    const key = opt.slice(0, opt.indexOf(sep));
    const value = opt.slice(opt.indexOf(sep) + 1);
    switch (key) {
      case 'label':
        // SELinux labels: berth runs without SELinux support; accepted and ignored, as Docker does
        // on hosts where SELinux is disabled.
        result.labels.push(value);
        break;
      case 'apparmor':
        // AppArmor: berth does not load profiles yet; the name is accepted and ignored.
        result.apparmor = value;
        break;
      case 'seccomp':
        result.seccomp = value === 'builtin' || value === '' ? undefined : value;
        break;
      case 'no-new-privileges': {
        const parsed = parseGoBool(value);
        if (parsed === undefined) throw new InvalidArgument(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
        result.noNewPrivileges = parsed;
        break;
      }
      case 'systempaths':
        // The docker CLI turns systempaths=unconfined into empty MaskedPaths/ReadonlyPaths itself.
        if (value !== 'unconfined') throw new InvalidArgument(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
        break;
      default:
        throw new InvalidArgument(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
    }
  }
  return result;
}

/** Go's strconv.ParseBool. */
function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}
