// berth info [--format]: the client's context and the daemon's /info, laid out as docker's.
import type { CommandDefinition } from '../../command.js';
import { renderOne } from '../../format/render.js';
import { str } from '../../options.js';
import { berthVersion } from '../../version.js';

export const info: CommandDefinition = {
  name: 'info',
  usage: 'info [OPTIONS]',
  description: 'Display system-wide information',
  args: { max: 0 },
  flags: { format: { type: 'string', short: 'f', description: 'Format output using a custom template' } },
  async run(ctx, { values }) {
    const client = await ctx.client();
    const info = await client.json<Record<string, any>>('GET', '/info');
    const format = str(values, 'format');
    if (format) {
      ctx.stdout.write(renderOne(format, info));
      return;
    }
    const lines: string[] = ['Client:', ` Version:    ${berthVersion}`, ' Context:    default', ' Debug Mode: false', '', 'Server:'];
    const add = (label: string, value: unknown, indent = ' ') => {
      if (value !== undefined && value !== null && value !== '') lines.push(`${indent}${label}: ${value}`);
    };
    add('Containers', info.Containers ?? 0);
    add('Running', info.ContainersRunning ?? 0, '  ');
    add('Paused', info.ContainersPaused ?? 0, '  ');
    add('Stopped', info.ContainersStopped ?? 0, '  ');
    add('Images', info.Images ?? 0);
    add('Server Version', info.ServerVersion);
    add('Storage Driver', info.Driver);
    for (const [k, v] of (info.DriverStatus ?? []) as [string, string][]) add(k, v, '  ');
    add('Logging Driver', info.LoggingDriver);
    add('Cgroup Driver', info.CgroupDriver);
    add('Cgroup Version', info.CgroupVersion);
    if (info.Runtimes) add('Runtimes', Object.keys(info.Runtimes).sort().join(' '));
    add('Default Runtime', info.DefaultRuntime);
    if (Array.isArray(info.SecurityOptions) && info.SecurityOptions.length) {
      lines.push(' Security Options:');
      for (const opt of info.SecurityOptions as string[]) lines.push(`  ${opt.replace(/^name=/, '')}`);
    }
    add('Kernel Version', info.KernelVersion);
    add('Operating System', info.OperatingSystem);
    add('OSType', info.OSType);
    add('Architecture', info.Architecture);
    add('CPUs', info.NCPU);
    add('Total Memory', info.MemTotal !== undefined ? binarySize(info.MemTotal) : undefined);
    add('Name', info.Name);
    add('ID', info.ID);
    add('Docker Root Dir', info.DockerRootDir);
    add('Debug Mode', String(Boolean(info.Debug)));
    add('Experimental', String(Boolean(info.ExperimentalBuild)));
    add('Live Restore Enabled', String(Boolean(info.LiveRestoreEnabled)));
    ctx.stdout.write(lines.join('\n') + '\n\n');
    for (const warning of (info.Warnings ?? []) as string[]) ctx.stderr.write(`${warning}\n`);
  },
};

/** go-units BytesSize: "7.75GiB". */
function binarySize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let size = bytes;
  let i = 0;
  while (size >= 1024 && i < units.length - 1) {
    size /= 1024;
    i++;
  }
  return `${Number(size.toPrecision(4))}${units[i]}`;
}
