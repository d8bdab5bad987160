// berth version [--format]: the client's and the daemon's versions, laid out as docker's.
import { arch, platform } from 'node:os';
import { apiVersion } from '../../../../api/version.js';
import type { CommandDefinition } from '../../command.js';
import { renderOne } from '../../format/render.js';
import { str } from '../../options.js';
import { berthVersion } from '../../version.js';

const goArch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

export const version: CommandDefinition = {
  name: 'version',
  usage: 'version [OPTIONS]',
  description: 'Show the berth version information',
  args: { max: 0 },
  flags: { format: { type: 'string', short: 'f', description: 'Format output using a custom template' } },
  async run(ctx, { values }) {
    const clientInfo = {
      Platform: { Name: '' },
      Version: berthVersion,
      ApiVersion: apiVersion,
      DefaultAPIVersion: apiVersion,
      GitCommit: '',
      GoVersion: `node ${process.version}`,
      Os: platform(),
      Arch: goArch[arch()] ?? arch(),
      BuildTime: '',
      Context: 'default',
    };
    let server: Record<string, any> | undefined;
    let failure: unknown;
    try {
      const client = await ctx.client();
      clientInfo.ApiVersion = await client.version();
      server = await client.json('GET', '/version');
    } catch (err) {
      failure = err;
    }
    const format = str(values, 'format');
    if (format) {
      ctx.stdout.write(renderOne(format, { Client: clientInfo, Server: server ?? null }));
    } else {
      const rows = (pairs: [string, string][], indent: string) => pairs.map(([k, v]) => `${indent}${`${k}:`.padEnd(19 - indent.length)} ${v}`.trimEnd()).join('\n');
      let text = `Client:\n${rows([
        ['Version', clientInfo.Version], ['API version', clientInfo.ApiVersion], ['Go version', clientInfo.GoVersion],
        ['Git commit', clientInfo.GitCommit], ['Built', clientInfo.BuildTime], ['OS/Arch', `${clientInfo.Os}/${clientInfo.Arch}`],
        ['Context', clientInfo.Context],
      ], ' ')}\n`;
      if (server) {
        text += `\nServer: ${server.Platform?.Name ?? ''}\n`;
        for (const component of server.Components ?? [{ Name: 'Engine', Version: server.Version, Details: server }]) {
          const d = component.Details ?? {};
          text += ` ${component.Name}:\n`;
          text += component.Name === 'Engine'
            ? rows([
              ['Version', server.Version ?? component.Version], ['API version', `${server.ApiVersion} (minimum version ${server.MinAPIVersion})`],
              ['Go version', server.GoVersion ?? ''], ['Git commit', server.GitCommit ?? ''], ['Built', server.BuildTime ?? ''],
              ['OS/Arch', `${server.Os}/${server.Arch}`], ['Experimental', String(server.Experimental ?? false)],
            ], '  ') + '\n'
            : rows([['Version', component.Version], ...Object.entries(d).map(([k, v]) => [k, String(v)] as [string, string])], '  ') + '\n';
        }
      }
      ctx.stdout.write(text);
    }
    if (failure) throw failure;
  },
};
