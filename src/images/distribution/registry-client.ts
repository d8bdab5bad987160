// A client of one registry (OCI distribution spec / Docker Registry HTTP API v2): the
// endpoint and its scheme, authentication on demand (Bearer tokens from the challenge's realm,
// or Basic), and the requests pull and push are made of. Built on Node's fetch.
import { createReadStream } from 'node:fs';
import { isIP } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import { manifestAcceptTypes } from '../formats/media-types.js';
import type { Credentials } from './credentials.js';
import { RegistryUnavailable, registryError } from './registry-errors.js';
import { parseWwwAuthenticate } from './www-authenticate.js';

export interface RegistryClientOptions {
  /** The registry as references name it: "docker.io", "localhost:5000", "ghcr.io". */
  host: string;
  credentials?: Credentials | undefined;
  /** Hosts that may be reached over plain HTTP besides loopback (daemon.json insecure-registries). */
  insecureRegistries?: readonly string[];
  userAgent?: string;
}

export type Access = 'pull' | 'push' | 'pull,push';

interface RequestOptions {
  repository: string;
  access: Access;
  headers?: Record<string, string>;
  /** A function makes a fresh stream for each attempt, so a retry after a 401 sends it again. */
  body?: Uint8Array | Readable | (() => Readable);
  /** Scopes beyond the repository's own (a cross-repository mount also reads `from`). */
  extraScopes?: string[];
}

/** Docker Hub's API lives on a different host than its name. */
function endpointHost(host: string): string {
  return host === 'docker.io' || host === 'index.docker.io' ? 'registry-1.docker.io' : host;
}

function isLoopback(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0]!;
  if (name === 'localhost') return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1';
}

export class RegistryClient {
  private readonly host: string;
  private baseUrl: string;
  private readonly tokens = new Map<string, string>();
  private basic: string | undefined;
  private readonly plainHttpAllowed: boolean;
  private schemeSettled = false;

  constructor(private readonly options: RegistryClientOptions) {
    this.host = endpointHost(options.host);
    this.plainHttpAllowed = isLoopback(this.host) || (options.insecureRegistries ?? []).includes(options.host);
    this.baseUrl = `https://${this.host}`;
  }

  /** GET /v2/: the registry is there and speaks v2 (authentication challenges count as yes). */
  async ping(): Promise<void> {
    const response = await this.fetchWithFallback(`/v2/`, { method: 'GET' });
    await response.body?.cancel();
    if (response.status !== 200 && response.status !== 401) {
      throw new RegistryUnavailable(`${this.options.host} does not look like a registry: GET /v2/ answered ${response.status}`);
    }
  }

  async getManifest(repository: string, reference: string): Promise<{ bytes: Buffer; contentType: string; digest: string | undefined }> {
    const response = await this.request('GET', `/v2/${repository}/manifests/${reference}`, {
      repository, access: 'pull', headers: { accept: manifestAcceptTypes.join(', ') },
    });
    if (response.status !== 200) throw await registryError(response, `manifest for ${this.options.host}/${repository}:${reference}`);
    return {
      bytes: Buffer.from(await response.arrayBuffer()),
      contentType: response.headers.get('content-type') ?? '',
      digest: response.headers.get('docker-content-digest') ?? undefined,
    };
  }

  /** The blob's size if the repository has it. */
  async blobSize(repository: string, digest: string, access: Access = 'pull'): Promise<number | undefined> {
    const response = await this.request('HEAD', `/v2/${repository}/blobs/${digest}`, { repository, access });
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw await registryError(response, `blob ${digest} in ${this.options.host}/${repository}`);
    return Number(response.headers.get('content-length') ?? 0);
  }

  /**
   * The blob's bytes from `offset` on (a Range request, to resume); redirects are followed.
   * `response` is handed over whole, not just its body: Node's fetch cancels the body of a
   * Response that is garbage-collected, which would end a slow download early and silently.
   */
  async fetchBlob(repository: string, digest: string, offset = 0): Promise<{ response: Response; body: ReadableStream<Uint8Array>; offset: number }> {
    const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    const response = await this.request('GET', `/v2/${repository}/blobs/${digest}`, { repository, access: 'pull', headers });
    if (response.status !== 200 && response.status !== 206) throw await registryError(response, `blob ${digest} of ${this.options.host}/${repository}`);
    if (!response.body) throw new RegistryUnavailable(`blob ${digest}: the registry sent no body`);
    // A registry that ignores Range starts again from the beginning.
    return { response, body: response.body, offset: response.status === 206 ? offset : 0 };
  }

  /** Links a blob of another repository of this registry without sending it; false if refused. */
  async mountBlob(repository: string, digest: string, fromRepository: string): Promise<boolean> {
    const query = `mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromRepository)}`;
    const response = await this.request('POST', `/v2/${repository}/blobs/uploads/?${query}`, {
      repository, access: 'pull,push', extraScopes: [`repository:${fromRepository}:pull`],
    });
    if (response.status === 201 || response.status === 202) await response.body?.cancel();
    if (response.status === 201) return true;
    if (response.status === 202) {
      // The registry started an ordinary upload instead: cancel it.
      const location = response.headers.get('location');
      if (location) await (await this.request('DELETE', location, { repository, access: 'pull,push' })).body?.cancel();
      return false;
    }
    throw await registryError(response, `mount of ${digest} from ${fromRepository} into ${this.options.host}/${repository}`);
  }

  /**
   * Uploads a blob: one PUT when `chunkSize` is absent, else PATCH requests of that size and a
   * final PUT (for registries or proxies that limit request sizes).
   */
  async uploadBlob(repository: string, digest: string, data: Uint8Array, options: { chunkSize?: number } = {}): Promise<void> {
    const what = `upload of ${digest} to ${this.options.host}/${repository}`;
    let location = await this.startUpload(repository, what);
    if (options.chunkSize !== undefined && options.chunkSize > 0) {
      for (let start = 0; start < data.length; start += options.chunkSize) {
        const chunk = data.subarray(start, Math.min(start + options.chunkSize, data.length));
        location = await this.patchChunk(repository, location, start, chunk.length, chunk, what);
      }
      data = new Uint8Array(0);
    }
    await this.finishUpload(repository, location, digest, data.length, data, what);
  }

  /**
   * Uploads a blob from a file without holding it in memory: the file streams as the body of
   * one PUT, or, with `chunkSize`, each PATCH streams its own range of the file. `onProgress`
   * gets the bytes handed to the connection so far.
   */
  async uploadBlobFromFile(
    repository: string,
    digest: string,
    path: string,
    size: number,
    options: { chunkSize?: number; onProgress?: (bytesSent: number) => void } = {},
  ): Promise<void> {
    const what = `upload of ${digest} to ${this.options.host}/${repository}`;
    let sent = 0;
    // Counting happens as fetch pulls from the stream; a retried request starts the count over.
    const fileRange = (start: number, length: number) => () => {
      sent = start;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          sent += chunk.length;
          options.onProgress?.(sent);
          done(null, chunk);
        },
      });
      const file = createReadStream(path, { start, end: start + length - 1 });
      file.once('error', (err) => counter.destroy(err));
      return file.pipe(counter);
    };
    let location = await this.startUpload(repository, what);
    if (options.chunkSize !== undefined && options.chunkSize > 0 && size > 0) {
      for (let start = 0; start < size; start += options.chunkSize) {
        const length = Math.min(options.chunkSize, size - start);
        location = await this.patchChunk(repository, location, start, length, fileRange(start, length), what);
      }
      await this.finishUpload(repository, location, digest, 0, new Uint8Array(0), what);
      return;
    }
    // createReadStream cannot read an empty range; an empty blob is an empty body.
    await this.finishUpload(repository, location, digest, size, size > 0 ? fileRange(0, size) : new Uint8Array(0), what);
  }

  /** POST …/blobs/uploads/: the location the upload's bytes go to. */
  private async startUpload(repository: string, what: string): Promise<string> {
    const started = await this.request('POST', `/v2/${repository}/blobs/uploads/`, { repository, access: 'pull,push' });
    if (started.status !== 202) throw await registryError(started, what);
    await started.body?.cancel();
    return this.location(started, what);
  }

  /** One PATCH of `length` bytes at `start`; returns the location for the next request. */
  private async patchChunk(repository: string, location: string, start: number, length: number, body: RequestOptions['body'], what: string): Promise<string> {
    const patched = await this.request('PATCH', location, {
      repository, access: 'pull,push', body,
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${start + length - 1}`, 'content-length': String(length) },
    });
    if (patched.status !== 202) throw await registryError(patched, what);
    await patched.body?.cancel();
    return this.location(patched, what);
  }

  /** The closing PUT with the digest (and the last bytes, or all of them for a monolithic upload). */
  private async finishUpload(repository: string, location: string, digest: string, length: number, body: RequestOptions['body'], what: string): Promise<void> {
    const separator = location.includes('?') ? '&' : '?';
    const done = await this.request('PUT', `${location}${separator}digest=${encodeURIComponent(digest)}`, {
      repository, access: 'pull,push', body,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(length) },
    });
    if (done.status !== 201) throw await registryError(done, what);
    await done.body?.cancel();
  }

  /** Stores a manifest under a tag or digest; returns the digest the registry computed. */
  async putManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<string | undefined> {
    const response = await this.request('PUT', `/v2/${repository}/manifests/${reference}`, {
      repository, access: 'pull,push', body: bytes, headers: { 'content-type': mediaType },
    });
    if (response.status !== 201) throw await registryError(response, `manifest ${this.options.host}/${repository}:${reference}`);
    await response.body?.cancel();
    return response.headers.get('docker-content-digest') ?? undefined;
  }

  private location(response: Response, what: string): string {
    const location = response.headers.get('location');
    if (!location) throw new RegistryUnavailable(`${what}: the registry gave no upload location`);
    return location;
  }

  /** A request with authentication: on a 401 challenge, get a token (or use Basic) and retry once. */
  async request(method: string, pathOrUrl: string, options: RequestOptions): Promise<Response> {
    const scopes = [`repository:${options.repository}:${options.access}`, ...(options.extraScopes ?? [])];
    const scopeKey = scopes.join(' ');
    const send = () => {
      const headers: Record<string, string> = { 'user-agent': this.options.userAgent ?? 'berth/0.1', ...options.headers };
      const token = this.tokens.get(scopeKey);
      if (token) headers.authorization = `Bearer ${token}`;
      else if (this.basic) headers.authorization = `Basic ${this.basic}`;
      const body = typeof options.body === 'function' ? options.body() : options.body;
      return this.fetchWithFallback(pathOrUrl, { method, headers, body });
    };
    let response = await send();
    if (response.status !== 401) return response;
    const challenge = response.headers.get('www-authenticate');
    await response.body?.cancel();
    if (!challenge || !(await this.authenticate(challenge, scopes, scopeKey))) return response;
    response = await send();
    return response;
  }

  private async authenticate(header: string, scopes: string[], scopeKey: string): Promise<boolean> {
    for (const challenge of parseWwwAuthenticate(header)) {
      if (challenge.scheme === 'basic' && this.options.credentials) {
        const { username, password } = this.options.credentials;
        this.basic = Buffer.from(`${username}:${password}`).toString('base64');
        return true;
      }
      if (challenge.scheme === 'bearer' && challenge.params.realm) {
        this.tokens.set(scopeKey, await this.fetchToken(challenge.params.realm, challenge.params.service, scopes));
        return true;
      }
    }
    return false;
  }

  /** The token server of the challenge (docker's token auth spec), with credentials if any. */
  private async fetchToken(realm: string, service: string | undefined, scopes: string[]): Promise<string> {
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryUnavailable(`${this.options.host}: the authentication realm "${realm}" is not a URL`);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.host))) {
      throw new RegistryUnavailable(`${this.options.host}: refusing to send credentials to a token server over plain HTTP (${realm})`);
    }
    if (service) url.searchParams.set('service', service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const headers: Record<string, string> = {};
    if (this.options.credentials) {
      const { username, password } = this.options.credentials;
      headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    const response = await fetch(url, { headers });
    if (response.status !== 200) throw await registryError(response, `token from ${url.origin}`);
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryUnavailable(`token from ${url.origin}: the answer holds no token`);
    return token;
  }

  /**
   * HTTPS first; a registry allowed plain HTTP (loopback or configured insecure) that does not
   * speak TLS is then used over HTTP, as Docker does.
   */
  private async fetchWithFallback(pathOrUrl: string, init: { method: string; headers?: Record<string, string>; body?: Uint8Array | Readable | undefined }): Promise<Response> {
    const attempt = (base: string) => {
      const url = new URL(pathOrUrl, base);
      // Node's fetch needs `duplex` for a streamed body.
      const request: RequestInit & { duplex?: 'half' } = { method: init.method, redirect: 'follow' };
      if (init.headers) request.headers = init.headers;
      if (init.body !== undefined) {
        request.body = init.body as unknown as BodyInit;
        request.duplex = 'half';
      }
      if (init.body !== undefined && !(init.body instanceof Uint8Array)) {
        // Otherwise fetch clones the request (the spec's HTTP-network-or-cache fetch) and the
        // clone's unread half of the teed body buffers the whole stream in memory. A streamed
        // body could not follow a redirect anyway.
        request.redirect = 'error';
        request.window = null;
      }
      return fetch(url, request);
    };
    const base = this.baseUrl;
    try {
      const response = await attempt(base);
      this.schemeSettled = true;
      return response;
    } catch (err) {
      // A concurrent first request may have switched to plain HTTP meanwhile: follow it.
      if (this.baseUrl !== base) return this.fetchWithFallback(pathOrUrl, init);
      if (!this.schemeSettled && this.plainHttpAllowed && this.baseUrl.startsWith('https:')) {
        this.baseUrl = `http://${this.host}`;
        this.schemeSettled = true;
        try {
          return await attempt(this.baseUrl);
        } catch (second) {
          throw new RegistryUnavailable(`cannot reach ${this.options.host}: ${describeFetchError(second)}`, { cause: second });
        }
      }
      throw new RegistryUnavailable(`cannot reach ${this.options.host}: ${describeFetchError(err)}`, { cause: err });
    }
  }
}

function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
