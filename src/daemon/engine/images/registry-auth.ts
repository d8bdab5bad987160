// Registry credentials as clients send them: the X-Registry-Auth header (base64url of
// {"username", "password", "serveraddress"} or {"identitytoken"}), and the body of POST /auth.
import { InvalidArgument } from '../../../errors.js';
import type { Credentials } from '../../../images/distribution/credentials.js';

/** Docker's registry.AuthConfig (the fields berth uses). */
export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** Decodes X-Registry-Auth; an absent or empty header means anonymous. */
export function decodeRegistryAuth(header: string | undefined): AuthConfig | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  let parsed: unknown;
  try {
    // Node's base64 decoder takes both alphabets, with or without padding.
    parsed = JSON.parse(Buffer.from(header.trim(), 'base64url').toString('utf8'));
  } catch {
    throw new InvalidArgument('invalid X-Registry-Auth header: not base64url-encoded JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  return parsed as AuthConfig;
}

/**
 * The credentials a registry client can use: a username and password (also from the legacy
 * "auth" field). An identity token (an OAuth refresh token) is not supported yet: such a
 * request proceeds anonymously.
 */
export function credentialsOf(auth: AuthConfig | undefined): Credentials | undefined {
  if (!auth) return undefined;
  if (auth.username && auth.password) return { username: auth.username, password: auth.password };
  if (auth.auth) {
    const decoded = Buffer.from(auth.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}

/** "https://127.0.0.1:5000/v2/", "127.0.0.1:5000" → "127.0.0.1:5000"; Docker Hub's names → "docker.io". */
export function registryHostOf(serverAddress: string | undefined): string {
  const text = (serverAddress ?? '').trim();
  if (text === '') return 'docker.io';
  const host = text.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  if (['index.docker.io', 'registry-1.docker.io', 'docker.io', 'registry.hub.docker.com'].includes(host)) return 'docker.io';
  return host;
}
