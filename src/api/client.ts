// A typed Docker Engine API client with no daemon imports: unix or TLS TCP connections,
// version negotiation through /_ping, JSON requests, streamed JSON messages, raw streams and
// hijacked connections (attach, exec start). Errors from the daemon become ApiError with the
// daemon's message; a daemon that does not answer becomes DaemonUnreachable.
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { apiVersion as clientMaxVersion, compareApiVersions } from './version.js';
import { parseDaemonHost, type DaemonAddress } from './host.js';
import { jsonMessages } from './json-lines.js';
import { openHijacked, type HijackedConnection } from './hijack.js';

export interface TlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  /** Verify the daemon's certificate against `ca` (docker's --tlsverify). */
  verify: boolean;
}

export interface ClientOptions {
  host: string;
  tls?: TlsOptions | undefined;
  /** A fixed API version: no negotiation (DOCKER_API_VERSION). */
  version?: string | undefined;
  userAgent?: string;
}

/** The daemon answered with an error status; `message` is the daemon's own. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Nobody answers at the address (no socket, refused, permission denied). */
export class DaemonUnreachable extends Error {
  constructor(readonly host: string, readonly code: string | undefined, options?: { cause?: unknown }) {
    super(code === 'EACCES'
      ? `permission denied while trying to connect to the berth daemon socket at ${host}`
      : `Cannot connect to the berth daemon at ${host}. Is berthd running?`, options);
    this.name = 'DaemonUnreachable';
  }
}

export type QueryValue = string | number | boolean | string[] | undefined | null;

export interface RequestSpec {
  query?: Record<string, QueryValue> | undefined;
  /** An object is sent as JSON; a Buffer, string or stream as it is. */
  body?: unknown;
  headers?: Record<string, string> | undefined;
  /** Without the /v1.NN prefix (/_ping). */
  unversioned?: boolean;
}

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
}

/** TLS material from --tlscacert/--tlscert/--tlskey, or the files in BERTH_CERT_PATH. */
export function loadTls(tls: TlsOptions): TlsMaterial {
  const read = (path: string | undefined) => (path ? readFileSync(path) : undefined);
  return { ca: read(tls.ca), cert: read(tls.cert), key: read(tls.key), rejectUnauthorized: tls.verify } as TlsMaterial;
}

export function tlsFromCertPath(dir: string, verify: boolean): TlsOptions {
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), verify };
}

const connectionErrors = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOTSOCK']);

export class ApiClient {
  readonly address: DaemonAddress;
  private readonly tls: TlsMaterial | undefined;
  private negotiated: Promise<string> | undefined;
  private readonly userAgent: string;

  constructor(options: ClientOptions) {
    this.address = parseDaemonHost(options.host);
    this.tls = options.tls ? loadTls(options.tls) : undefined;
    this.userAgent = options.userAgent ?? 'berth-cli';
    if (options.version) this.negotiated = Promise.resolve(options.version);
  }

  get host(): string {
    return this.address.text;
  }

  /**
   * The version to speak: ours, or the daemon's if it is older (the Api-Version header of
   * /_ping). A daemon that answers without the header is spoken to in our version.
   */
  version(): Promise<string> {
    this.negotiated ??= this.ping().then(
      (headers) => {
        const server = headers['api-version'];
        return typeof server === 'string' && compareApiVersions(server, clientMaxVersion) < 0 ? server : clientMaxVersion;
      },
      (err) => {
        this.negotiated = undefined;
        throw err;
      },
    );
    return this.negotiated;
  }

  async ping(): Promise<IncomingMessage['headers']> {
    const res = await this.send('GET', '/_ping', { unversioned: true });
    res.resume();
    if (res.statusCode !== 200) throw new ApiError(res.statusCode ?? 0, `ping: ${res.statusCode}`);
    return res.headers;
  }

  /** A request whose JSON answer is returned (undefined for an empty body). */
  async json<T = any>(method: string, path: string, spec: RequestSpec = {}): Promise<T> {
    const res = await this.stream(method, path, spec);
    const text = (await readAll(res)).toString('utf8');
    return (text.trim() === '' ? undefined : JSON.parse(text)) as T;
  }

  /** A request whose answer is read as a stream; error statuses are thrown as ApiError. */
  async stream(method: string, path: string, spec: RequestSpec = {}): Promise<IncomingMessage> {
    const res = await this.send(method, path, spec);
    if ((res.statusCode ?? 0) >= 400) throw await apiErrorFrom(res);
    return res;
  }

  /** Streamed JSON messages (pull, push, load, events). */
  async *messages<T = Record<string, unknown>>(method: string, path: string, spec: RequestSpec = {}): AsyncGenerator<T> {
    yield* jsonMessages<T>(await this.stream(method, path, spec));
  }

  /** A hijacked connection: the raw two-way stream of attach and exec start. */
  async hijack(method: string, path: string, spec: RequestSpec = {}): Promise<HijackedConnection> {
    const fullPath = await this.fullPath(path, spec);
    const body = spec.body === undefined ? undefined : Buffer.from(JSON.stringify(spec.body));
    try {
      return await openHijacked(this.address, this.tls, method, fullPath, body, { 'User-Agent': this.userAgent, ...spec.headers });
    } catch (err) {
      throw this.connectionError(err);
    }
  }

  private async fullPath(path: string, spec: RequestSpec): Promise<string> {
    const prefix = spec.unversioned ? '' : `/v${await this.version()}`;
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value === undefined || value === null || value === false) continue;
      if (Array.isArray(value)) for (const item of value) query.append(key, item);
      else query.set(key, value === true ? '1' : String(value));
    }
    const text = query.toString();
    return `${prefix}${path}${text ? `?${text}` : ''}`;
  }

  private async send(method: string, path: string, spec: RequestSpec): Promise<IncomingMessage> {
    const fullPath = await this.fullPath(path, spec);
    const headers: Record<string, string> = { 'User-Agent': this.userAgent, ...spec.headers };
    let payload: Buffer | string | Readable | undefined;
    if (spec.body instanceof Readable) {
      payload = spec.body;
      headers['Content-Type'] ??= 'application/x-tar';
    } else if (Buffer.isBuffer(spec.body) || typeof spec.body === 'string') {
      payload = spec.body;
    } else if (spec.body !== undefined) {
      payload = JSON.stringify(spec.body);
      headers['Content-Type'] = 'application/json';
    }
    const options: RequestOptions = { method, path: fullPath, headers, agent: false };
    if (this.address.kind === 'unix') options.socketPath = this.address.path;
    else Object.assign(options, { host: this.address.host, port: this.address.port });
    const request = this.address.kind === 'tcp' && this.tls ? httpsRequest : httpRequest;
    if (this.address.kind === 'tcp' && this.tls) Object.assign(options, this.tls);
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(options, resolve);
      req.on('error', (err) => reject(this.connectionError(err)));
      if (payload instanceof Readable) {
        payload.on('error', (err) => req.destroy(err));
        payload.pipe(req);
      } else {
        req.end(payload);
      }
    });
  }

  private connectionError(err: unknown): unknown {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code && connectionErrors.has(code) && !(err instanceof ApiError)) return new DaemonUnreachable(this.host, code, { cause: err });
    return err;
  }
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Docker's errors are `{"message": "..."}`; anything else is shown as it came. */
export function errorMessage(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed?.message === 'string') return parsed.message;
  } catch { /* not JSON */ }
  return body.trim() || `status ${status}`;
}

async function apiErrorFrom(res: IncomingMessage): Promise<ApiError> {
  const body = (await readAll(res)).toString('utf8');
  return new ApiError(res.statusCode ?? 0, errorMessage(res.statusCode ?? 0, body));
}
