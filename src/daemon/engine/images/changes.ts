// `docker import --change`: the Dockerfile instructions an import may set on the image's
// config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL), each in
// its JSON or shell form, as Docker's builder parses them.
import { InvalidArgument } from '../../../errors.js';
import type { ContainerDefaults } from '../../../images/formats/image-config.js';

/** Splits on whitespace, keeping quoted parts together and removing their quotes. */
function words(text: string): string[] {
  return (text.match(/(?:[^\s"']+|"(?:[^"\\]|\\.)*"|'[^']*')+/g) ?? [])
    .map((w) => w.replace(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g, (_, dq: string | undefined, sq: string | undefined) => (dq !== undefined ? dq.replace(/\\(.)/g, '$1') : sq ?? '')));
}

/** A JSON array of strings, or undefined when the text is the shell form. */
function jsonForm(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) return parsed as string[];
  } catch {
    /* shell form after all */
  }
  return undefined;
}

/** KEY=VALUE pairs, or the legacy "KEY VALUE" form. */
function pairs(rest: string, instruction: string): [string, string][] {
  const list = words(rest);
  if (list.length > 0 && !list[0]!.includes('=')) {
    const space = rest.search(/\s/);
    if (space === -1) throw new InvalidArgument(`${instruction} needs a value: ${rest}`);
    return [[list[0]!, rest.slice(space).trim()]];
  }
  return list.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new InvalidArgument(`${instruction}: "${w}" is not KEY=VALUE`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}

export function applyChanges(changes: readonly string[], base: ContainerDefaults = {}): ContainerDefaults {
  const config: ContainerDefaults = structuredClone(base);
  for (const change of changes) {
    const line = change.trim();
    if (line === '') continue;
    const m = /^(\w+)\s*(.*)$/s.exec(line);
    if (!m) throw new InvalidArgument(`invalid change "${change}"`);
    const instruction = m[1]!.toUpperCase();
    const rest = m[2]!.trim();
    switch (instruction) {
      case 'CMD':
      case 'ENTRYPOINT': {
        const command = jsonForm(rest) ?? ['/bin/sh', '-c', rest];
        if (instruction === 'CMD') config.Cmd = command;
        else config.Entrypoint = command;
        break;
      }
      case 'ENV': {
        const env = [...(config.Env ?? [])];
        for (const [key, value] of pairs(rest, instruction)) {
          const at = env.findIndex((e) => e.startsWith(`${key}=`));
          if (at >= 0) env[at] = `${key}=${value}`;
          else env.push(`${key}=${value}`);
        }
        config.Env = env;
        break;
      }
      case 'LABEL':
        config.Labels = { ...(config.Labels ?? {}), ...Object.fromEntries(pairs(rest, instruction)) };
        break;
      case 'EXPOSE':
        config.ExposedPorts = { ...(config.ExposedPorts ?? {}) };
        for (const port of words(rest)) config.ExposedPorts[port.includes('/') ? port : `${port}/tcp`] = {};
        break;
      case 'VOLUME':
        config.Volumes = { ...(config.Volumes ?? {}) };
        for (const path of jsonForm(rest) ?? words(rest)) config.Volumes[path] = {};
        break;
      case 'USER': config.User = rest; break;
      case 'WORKDIR': config.WorkingDir = rest; break;
      case 'STOPSIGNAL': config.StopSignal = rest; break;
      default:
        throw new InvalidArgument(`${instruction} is not a valid change command`);
    }
  }
  return config;
}
