// The option string of an overlay mount. mount(2) takes at most one page of options, and a deep
// image's absolute lower paths do not fit: then, as Docker's overlay2 does, the mount runs from
// the driver's home with short relative names ("l/ABC…", symlinks to the diff directories).
import { InvalidArgument } from '../../errors.js';

/** mount(2) copies one page of option data, terminating NUL included. */
export const mountDataLimit = 4096 - 1;

export interface OverlayLower {
  /** Absolute path of the diff directory. */
  absolute: string;
  /** The same relative to the driver's home: "l/<short id>". */
  relative: string;
}

export interface OverlayMountPlan {
  options: string;
  /** Set when the options are relative: run `mount` from here. */
  cwd?: string;
}

export interface OverlayMountRequest {
  home: string;
  /** Top first. */
  lowers: OverlayLower[];
  upper: { absolute: string; relative: string };
  work: { absolute: string; relative: string };
  /** Extra options, e.g. "index=off". */
  extra: string[];
}

function optionString(lowers: string[], upper: string, work: string, extra: string[]): string {
  return [`lowerdir=${lowers.join(':')}`, `upperdir=${upper}`, `workdir=${work}`, ...extra].join(',');
}

export function planOverlayMount(request: OverlayMountRequest): OverlayMountPlan {
  const { lowers, upper, work, extra } = request;
  const absolute = optionString(lowers.map((l) => l.absolute), upper.absolute, work.absolute, extra);
  if (absolute.length <= mountDataLimit) return { options: absolute };
  const relative = optionString(lowers.map((l) => l.relative), upper.relative, work.relative, extra);
  if (relative.length > mountDataLimit) {
    throw new InvalidArgument(
      `too many layers to mount (${lowers.length}): even with short names the overlay options exceed ${mountDataLimit} bytes`,
    );
  }
  return { options: relative, cwd: request.home };
}
