// Calling a CNI plugin (CNI spec 1.0): the command and the container's identity in the
// environment, the network configuration on stdin, a result or an error as JSON on stdout.
import { join } from 'node:path';
import { Internal, InvalidArgument } from '../../../../errors.js';
import { CommandFailed, runCommand } from '../../../../system/command.js';

export const cniVersion = '1.0.0';

/** Where the plugins are: Debian's containernetworking-plugins, unless BERTH_CNI_PATH says. */
export function defaultPluginDir(): string {
  return process.env.BERTH_CNI_PATH ?? '/usr/lib/cni';
}

export type CniCommand = 'ADD' | 'DEL' | 'CHECK';

/** Who the plugins plumb: one interface of one container's network namespace. */
export interface CniAttachment {
  containerId: string;
  netns: string;
  ifName: string;
}

export interface CniInterface {
  name: string;
  mac?: string;
  sandbox?: string;
}

export interface CniIpConfig {
  interface?: number;
  address: string;
  gateway?: string;
}

export interface CniResult {
  cniVersion: string;
  interfaces?: CniInterface[];
  ips?: CniIpConfig[];
  routes?: Array<{ dst: string; gw?: string }>;
  dns?: unknown;
}

/** One plugin's configuration: `type` names the binary; the rest is the plugin's. */
export type PluginConfig = { type: string } & Record<string, unknown>;

export class CniError extends Internal {
  constructor(readonly plugin: string, readonly code: number | undefined, message: string) {
    super(`CNI plugin ${plugin}: ${message}`);
  }
}

export async function invokePlugin(
  pluginDir: string,
  command: CniCommand,
  networkName: string,
  config: PluginConfig,
  attachment: CniAttachment,
  prevResult?: CniResult,
): Promise<CniResult | undefined> {
  if (!/^[a-z0-9-]+$/.test(config.type)) throw new InvalidArgument(`invalid CNI plugin type "${config.type}"`);
  const input = { cniVersion, name: networkName, ...config, ...(prevResult ? { prevResult } : {}) };
  const env = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    CNI_COMMAND: command,
    CNI_CONTAINERID: attachment.containerId,
    CNI_NETNS: attachment.netns,
    CNI_IFNAME: attachment.ifName,
    CNI_PATH: pluginDir,
  };
  let stdout: string;
  try {
    stdout = await runCommand(join(pluginDir, config.type), [], { env, input: JSON.stringify(input) });
  } catch (err) {
    if (!(err instanceof CommandFailed)) throw err;
    throw pluginError(config.type, err);
  }
  if (command !== 'ADD') return undefined;
  try {
    return JSON.parse(stdout) as CniResult;
  } catch {
    throw new CniError(config.type, undefined, `unreadable result: ${stdout.slice(0, 200)}`);
  }
}

/** A plugin reports failure as {"code", "msg", "details"} on stdout. */
function pluginError(plugin: string, failure: CommandFailed): CniError {
  try {
    const parsed = JSON.parse(failure.stdout) as { code?: number; msg?: string; details?: string };
    if (parsed.msg) return new CniError(plugin, parsed.code, parsed.details ? `${parsed.msg}: ${parsed.details}` : parsed.msg);
  } catch {
    // Not JSON: fall back to what it printed.
  }
  return new CniError(plugin, failure.exitCode, (failure.stderr || failure.stdout || failure.message).trim());
}

/**
 * A network configuration list run as libcni runs it: ADD through the plugins in order, each
 * given the previous result; on a failure the plugins already run are deleted again.
 */
export async function addPluginChain(pluginDir: string, networkName: string, plugins: readonly PluginConfig[], attachment: CniAttachment): Promise<CniResult> {
  let result: CniResult | undefined;
  for (let i = 0; i < plugins.length; i++) {
    try {
      result = await invokePlugin(pluginDir, 'ADD', networkName, plugins[i]!, attachment, result);
    } catch (err) {
      await deletePluginChain(pluginDir, networkName, plugins.slice(0, i + 1), attachment).catch(() => {});
      throw err;
    }
  }
  if (!result) throw new Internal(`network ${networkName}: no CNI plugins to run`);
  return result;
}

/** DEL through the plugins in reverse order; every plugin runs, and the first failure is reported. */
export async function deletePluginChain(pluginDir: string, networkName: string, plugins: readonly PluginConfig[], attachment: CniAttachment): Promise<void> {
  let failure: unknown;
  for (const plugin of [...plugins].reverse()) {
    await invokePlugin(pluginDir, 'DEL', networkName, plugin, attachment).catch((err: unknown) => { failure ??= err; });
  }
  if (failure) throw failure;
}
