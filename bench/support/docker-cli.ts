// The real docker CLI pointed at one daemon (berthd or a private dockerd), as the benchmarks drive
// both: checked commands, the busybox fixture imported as busybox:latest, and removal of every
// container a daemon holds.
import { join } from 'node:path';
import { busyboxRootfs } from '../../test/support/fixtures.js';
import { exec, firstLine, type Result } from './commands.js';
import { run } from './host.js';

export const dockerCli = '/usr/local/bin/docker';

/** A CLI pointed at one daemon. */
export interface Client {
  name: string;
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export const dockerClient = (name: string, host: string, configDir: string): Client => ({
  name, file: dockerCli, args: ['--config', configDir, '-H', host], env: { ...process.env, DOCKER_CONFIG: configDir },
});

/** The command's result, or an error naming the client, the command and the first line it wrote. */
export async function checked(client: Client, args: string[], timeoutMs?: number): Promise<Result> {
  const r = await exec(client.file, [...client.args, ...args], client.env, timeoutMs);
  if (r.status !== 0) throw new Error(`${client.name} ${args.join(' ')}: exit ${r.status}: ${firstLine(r.stderr) || firstLine(r.stdout)}`);
  return r;
}

/** The busybox fixture as a tar under `dir`, for `importBusybox` (made once, imported into each daemon). */
export function busyboxTar(dir: string): string {
  const tar = join(dir, 'busybox.tar');
  run('tar', ['--numeric-owner', '-C', busyboxRootfs, '-cf', tar, '.']);
  return tar;
}

/** `docker import` of the fixture as busybox:latest (no network), the same image in every daemon. */
export async function importBusybox(client: Client, tar: string): Promise<void> {
  await checked(client, ['import', '-c', 'CMD ["sh"]', tar, 'busybox:latest']);
}

/** `rm -f` of every container the daemon has; for clean-up, so it never throws. */
export async function removeAllContainers(client: Client | undefined): Promise<void> {
  if (!client) return;
  const listed = await exec(client.file, [...client.args, 'ps', '-aq'], client.env, 30_000, true).catch(() => undefined);
  const all = listed?.status === 0 ? listed.stdout.split('\n').filter(Boolean) : [];
  if (all.length) await exec(client.file, [...client.args, 'rm', '-f', ...all], client.env, 120_000, true).catch(() => undefined);
}
