// Registry credentials the docker way: a config.json in $BERTH_CONFIG, $DOCKER_CONFIG or
// ~/.docker, whose "auths" hold base64 "user:password" per registry; pulls and pushes send
// them to the daemon as X-Registry-Auth (base64url of the JSON AuthConfig).
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { lookupCredentials } from '../../images/distribution/credentials.js';
import { parseReference } from '../../images/reference.js';
import { writeFileAtomicSync } from '../../fs/atomic-write.js';
import { errnoCode } from '../../errors.js';

/** Where Docker Hub's credentials are kept, for historical reasons. */
export const dockerHubAuthKey = 'https://index.docker.io/v1/';

export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BERTH_CONFIG || env.DOCKER_CONFIG || join(homedir(), '.docker');
}

export interface AuthConfig {
  username?: string;
  password?: string;
  serveraddress?: string;
}

/** The registry host of an image reference ("docker.io", "localhost:5000"). */
export function registryOf(image: string): string {
  try {
    return parseReference(image).domain;
  } catch {
    return 'docker.io';
  }
}

/** The key a login for `server` is stored under. */
export function authKey(server: string | undefined): string {
  if (!server || ['docker.io', 'index.docker.io', 'registry-1.docker.io', dockerHubAuthKey].includes(server)) return dockerHubAuthKey;
  return server.replace(/^https?:\/\//, '').replace(/\/+$/, '');
}

export function encodeAuth(auth: AuthConfig): string {
  return Buffer.from(JSON.stringify(auth)).toString('base64url');
}

/** The X-Registry-Auth header for an image's registry: the stored login, or empty. */
export function registryAuthHeader(configDir: string, image: string): Record<string, string> {
  const registry = registryOf(image);
  const credentials = lookupCredentials(registry, join(configDir, 'config.json'));
  const auth: AuthConfig = credentials
    ? { username: credentials.username, password: credentials.password, serveraddress: registry === 'docker.io' ? dockerHubAuthKey : registry }
    : {};
  return { 'X-Registry-Auth': encodeAuth(auth) };
}

type ConfigFile = { auths?: Record<string, { auth?: string }> } & Record<string, unknown>;

function readConfig(configDir: string): ConfigFile {
  try {
    return JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as ConfigFile;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return {};
    throw err;
  }
}

function writeConfig(configDir: string, config: ConfigFile): void {
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  writeFileAtomicSync(join(configDir, 'config.json'), JSON.stringify(config, null, '\t') + '\n', 0o600);
}

export function storeCredentials(configDir: string, server: string, username: string, password: string): string {
  const config = readConfig(configDir);
  config.auths ??= {};
  config.auths[authKey(server)] = { auth: Buffer.from(`${username}:${password}`).toString('base64') };
  writeConfig(configDir, config);
  return join(configDir, 'config.json');
}

/** Removes a stored login; false when there was none. */
export function removeCredentials(configDir: string, server: string): boolean {
  const config = readConfig(configDir);
  const key = authKey(server);
  if (!config.auths?.[key]) return false;
  delete config.auths[key];
  writeConfig(configDir, config);
  return true;
}

export function storedUsername(configDir: string, server: string): string | undefined {
  const entry = readConfig(configDir).auths?.[authKey(server)];
  if (!entry?.auth) return undefined;
  return Buffer.from(entry.auth, 'base64').toString('utf8').split(':')[0];
}
