// berthd: parses its flags, opens the daemon and serves the API until SIGINT or SIGTERM.
// Containers are not stopped when berthd stops: their monitors keep them.
import { writeFileSync, unlinkSync } from 'node:fs';
import { BerthError } from '../errors.js';
import { parseDaemonArgs, UsageRequested } from './config.js';
import { Daemon } from './daemon.js';
import { listen, type Listener } from './server/http-server.js';

function log(line: string): void {
  process.stderr.write(`berthd: ${line}\n`);
}

async function main(): Promise<void> {
  let config;
  try {
    config = parseDaemonArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageRequested) {
      process.stdout.write(err.message);
      return;
    }
    throw err;
  }
  const daemon = await Daemon.open(config);
  const listeners: Listener[] = [];
  for (const host of config.hosts) listeners.push(await listen(host, daemon.router, log, { tls: config.tls, debug: config.debug }));
  writeFileSync(daemon.paths.pidFile, `${process.pid}\n`);
  log(`API listening on ${config.hosts.join(', ')}`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.all(listeners.map((l) => l.close()));
    await daemon.close();
    try { unlinkSync(daemon.paths.pidFile); } catch { /* gone */ }
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  log(err instanceof BerthError ? err.message : err instanceof Error ? err.stack ?? err.message : String(err));
  process.exit(1);
});
