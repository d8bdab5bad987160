// Platforms ("linux/arm64/v8") as Docker names them, the host's own, and choosing a manifest
// for one from an index.
import { NotFound, InvalidArgument } from '../../errors.js';
import type { Descriptor, ImageIndex } from './manifest.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
}

/** Node's process.arch in Go's (and so OCI's) words. */
const goArchitectures: Record<string, string> = {
  x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsle',
};

export function hostPlatform(): Platform {
  const architecture = goArchitectures[process.arch] ?? process.arch;
  const platform: Platform = { os: 'linux', architecture };
  if (architecture === 'arm') {
    const version = (process.config.variables as Record<string, unknown>).arm_version;
    platform.variant = `v${typeof version === 'string' || typeof version === 'number' ? version : 7}`;
  }
  return normalizePlatform(platform);
}

/** Parses "os/arch[/variant]", as `--platform` takes it. */
export function parsePlatform(text: string): Platform {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9._-]+$/i.test(p))) {
    throw new InvalidArgument(`invalid platform "${text}": expected os/architecture[/variant], e.g. linux/arm64/v8`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return normalizePlatform(variant ? { os: os.toLowerCase(), architecture: architecture.toLowerCase(), variant: variant.toLowerCase() } : { os: os.toLowerCase(), architecture: architecture.toLowerCase() });
}

/** containerd's normalisation: aliases, and the variants that are implied when absent. */
export function normalizePlatform(p: Platform): Platform {
  let { architecture, variant } = p;
  if (architecture === 'x86_64' || architecture === 'x86-64') architecture = 'amd64';
  if (architecture === 'aarch64') architecture = 'arm64';
  if (architecture === 'i386') architecture = '386';
  if (architecture === 'amd64' && variant === 'v1') variant = undefined;
  if (architecture === 'arm64' && (variant === 'v8' || variant === '8')) variant = undefined;
  if (architecture === 'arm' && variant === undefined) variant = 'v7';
  if (architecture === 'arm' && variant !== undefined && /^\d+$/.test(variant)) variant = `v${variant}`;
  const out: Platform = { os: p.os, architecture };
  if (variant !== undefined) out.variant = variant;
  if (p['os.version'] !== undefined) out['os.version'] = p['os.version'];
  return out;
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** The index's manifest for `wanted` (the host's by default); NotFound listing what there is. */
export function selectManifest(index: ImageIndex, wanted: Platform = hostPlatform()): Descriptor {
  const target = normalizePlatform(wanted);
  const matches = (d: Descriptor) => {
    if (!d.platform) return false;
    const p = normalizePlatform(d.platform);
    return p.os === target.os && p.architecture === target.architecture && (p.variant ?? '') === (target.variant ?? '');
  };
  const found = index.manifests.find(matches);
  if (found) return found;
  const available = index.manifests.filter((d) => d.platform).map((d) => formatPlatform(normalizePlatform(d.platform!)));
  throw new NotFound(`no image for ${formatPlatform(target)} in the manifest list (it has: ${available.join(', ') || 'no platforms'})`);
}
