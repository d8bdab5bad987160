// Registry credentials as the docker CLI stores them: the "auths" of a config.json
// ($DOCKER_CONFIG/config.json or ~/.docker/config.json), keyed by registry host.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgument, errnoCode } from '../../errors.js';

export interface Credentials {
  username: string;
  password: string;
}

/** The host Docker Hub's credentials are stored under, for historical reasons. */
const dockerHubKeys = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];

export function defaultDockerConfigPath(): string {
  return join(process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

/** Credentials for `registryHost` ("docker.io", "localhost:5000"), or undefined. */
export function lookupCredentials(registryHost: string, configPath = defaultDockerConfigPath()): Credentials | undefined {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  let config: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
  try {
    config = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgument(`${configPath} is not valid JSON: ${(err as Error).message}`);
  }
  const auths = config.auths ?? {};
  const keys = registryHost === 'docker.io' ? dockerHubKeys : [registryHost, `https://${registryHost}`, `http://${registryHost}`, `https://${registryHost}/v1/`, `https://${registryHost}/v2/`];
  for (const key of keys) {
    const entry = auths[key];
    if (!entry) continue;
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new InvalidArgument(`${configPath}: auths["${key}"].auth is not base64 of "user:password"`);
      return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (entry.username !== undefined && entry.password !== undefined) return { username: entry.username, password: entry.password };
  }
  return undefined;
}
