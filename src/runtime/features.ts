// The OCI features document (runtime-spec features.md, features-linux.md) that
// `berth-runtime features` prints: what berth recognizes, not what the host supports.
// Seccomp's lists come from the seccomp filter builder, which alone knows them.

import { allCapabilities } from './capabilities.js';
import { mountOptionNames } from './plan/mount-options.js';
import { hookKinds } from './hooks.js';
import { namespaceTypes } from './spec/validate.js';

export const ociVersionMin = '1.0.0';
/** The newest runtime-spec version berth implements; also what `berth-runtime spec` writes. */
export const ociVersionMax = '1.2.0';

/**
 * Mount options berth's mount setup acts on (see plan/mount-options.ts). Filesystem-specific data
 * options (size=, mode=) are passed through to the filesystem and, as the spec says, not listed.
 */
export const recognizedMountOptions: readonly string[] = mountOptionNames;

export interface RuntimeFeaturesInputs {
  seccompActions: string[];
  seccompOperators: string[];
  seccompArchs: string[];
  /** berth's version, reported as an annotation when given. */
  runtimeVersion?: string;
}

export interface RuntimeFeatures {
  ociVersionMin: string;
  ociVersionMax: string;
  hooks: string[];
  mountOptions: string[];
  linux: {
    namespaces: string[];
    capabilities: string[];
    cgroup: { v1: boolean; v2: boolean; systemd: boolean; systemdUser: boolean };
    seccomp: { enabled: boolean; actions: string[]; operators: string[]; archs: string[] };
    apparmor: { enabled: boolean };
    selinux: { enabled: boolean };
  };
  annotations: Record<string, string>;
}

export function runtimeFeatures(inputs: RuntimeFeaturesInputs): RuntimeFeatures {
  const annotations: Record<string, string> = {};
  if (inputs.runtimeVersion !== undefined) annotations['io.berth.runtime.version'] = inputs.runtimeVersion;
  return {
    ociVersionMin,
    ociVersionMax,
    hooks: [...hookKinds],
    mountOptions: [...recognizedMountOptions],
    linux: {
      // Sorted, as runc prints them; the order carries no meaning.
      namespaces: [...namespaceTypes].sort(),
      capabilities: [...allCapabilities],
      // berth drives cgroupfs directly; it has no systemd cgroup driver.
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false },
      seccomp: {
        // Without a single action to offer, there is no seccomp support to speak of.
        enabled: inputs.seccompActions.length > 0,
        actions: [...inputs.seccompActions].sort(),
        operators: [...inputs.seccompOperators].sort(),
        archs: [...inputs.seccompArchs].sort(),
      },
      apparmor: { enabled: false },
      selinux: { enabled: false },
    },
    annotations,
  };
}
