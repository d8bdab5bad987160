// spec (an example config.json in the bundle) and features (what this runtime supports).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-write.js';
import type { Runtime } from '../../runtime/runtime.js';
import { defaultSpec } from '../../runtime/spec/default.js';
import { runtimeFeatures } from '../../runtime/features.js';
import { knownSeccompActions, knownSeccompArchitectures, knownSeccompOperators } from '../../runtime/seccomp/index.js';
import { UsageError } from '../exit.js';
import { parseCommand, stringValue } from './options.js';

export async function spec(_runtime: Runtime, args: string[]): Promise<number> {
  const { values } = parseCommand('spec', args, { bundle: { type: 'string', short: 'b' }, rootless: { type: 'boolean' } });
  const path = join(stringValue(values, 'bundle') ?? '.', 'config.json');
  if (existsSync(path)) throw new UsageError(`spec: ${path} exists already; remove it first`);
  const config = defaultSpec({ rootless: values.rootless === true });
  await writeFileAtomic(path, `${JSON.stringify(config, null, '\t')}\n`, 0o644);
  return 0;
}

export async function features(_runtime: Runtime, args: string[]): Promise<number> {
  parseCommand('features', args, {});
  const report = runtimeFeatures({
    seccompActions: [...knownSeccompActions],
    seccompOperators: [...knownSeccompOperators],
    seccompArchs: [...knownSeccompArchitectures],
    runtimeVersion: '0.1.0',
  });
  process.stdout.write(`${JSON.stringify(report, null, '    ')}\n`);
  return 0;
}
