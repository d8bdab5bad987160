// POST /auth: checks credentials against a registry the way `docker login` has the daemon do
// it (registry.loginV2): GET /v2/, answer its challenge with the credentials (Basic, or a
// token from the Bearer realm), and succeed on 200. HTTPS first; plain HTTP only for loopback
// and configured insecure registries.
import { isIP } from 'node:net';
import { InvalidArgument, Unauthenticated } from '../../../errors.js';
import { RegistryUnavailable } from '../../../images/distribution/registry-errors.js';
import { parseWwwAuthenticate } from '../../../images/distribution/www-authenticate.js';
import { credentialsOf, registryHostOf, type AuthConfig } from './registry-auth.js';


export interface LoginResult {
  Status: string;
  IdentityToken: string;
}

export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0]!;
  if (name === 'localhost') return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1';
}

export async function login(auth: AuthConfig, insecureRegistries: readonly string[]): Promise<LoginResult> {
  const host = registryHostOf(auth.serveraddress);
  const credentials = credentialsOf(auth);
  if (!credentials) throw new InvalidArgument('login needs a username and a password');
  const endpoint = host === 'docker.io' ? 'registry-1.docker.io' : host;
  const schemes = isLoopbackHost(endpoint) || insecureRegistries.includes(host) ? ['https', 'http'] : ['https'];
  const basic = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  let lastError: Error | undefined;
  for (const scheme of schemes) {
    const url = `${scheme}://${endpoint}/v2/`;
    let first: Response;
    try {
      first = await fetch(url);
    } catch (err) {
      lastError = new RegistryUnavailable(`Get "${url}": ${describe(err)}`, { cause: err });
      continue;
    }
    await first.body?.cancel();
    if (first.status === 200) return succeeded();
    const failed = (status: number, statusText: string) =>
      new Unauthenticated(`login attempt to ${url} failed with status: ${status} ${statusText}`);
    if (first.status !== 401) throw new RegistryUnavailable(`login attempt to ${url} failed with status: ${first.status} ${first.statusText}`);
    for (const challenge of parseWwwAuthenticate(first.headers.get('www-authenticate') ?? '')) {
      if (challenge.scheme === 'basic') {
        const answer = await fetch(url, { headers: { authorization: basic } });
        await answer.body?.cancel();
        if (answer.status === 200) return succeeded();
        throw failed(answer.status, answer.statusText);
      }
      if (challenge.scheme === 'bearer' && challenge.params.realm) {
        const tokenUrl = new URL(challenge.params.realm);
        if (tokenUrl.protocol !== 'https:' && !(tokenUrl.protocol === 'http:' && isLoopbackHost(tokenUrl.host))) {
          throw new RegistryUnavailable(`${host}: refusing to send credentials to a token server over plain HTTP (${tokenUrl.href})`);
        }
        if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
        tokenUrl.searchParams.set('account', credentials.username);
        const answer = await fetch(tokenUrl, { headers: { authorization: basic } });
        await answer.body?.cancel();
        if (answer.status === 200) return succeeded();
        throw failed(answer.status, answer.statusText);
      }
    }
    throw new RegistryUnavailable(`login to ${host}: the registry asks for an authentication scheme berth does not know`);
  }
  throw lastError ?? new RegistryUnavailable(`cannot reach ${host}`);
}

function succeeded(): LoginResult {
  return { Status: 'Login Succeeded', IdentityToken: '' };
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { message?: string } }).cause;
  return cause?.message ?? (err instanceof Error ? err.message : String(err));
}
