// berthd's listeners: a unix socket (mode 0660) and, only with TLS client verification, TCP.
// Every request, plain or `Upgrade: tcp`, goes through the one router; errors are answered in
// Docker's shape by the one error mapping.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { chmodSync, readFileSync, unlinkSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import { InvalidArgument } from '../../errors.js';
import { apiVersion } from '../../api/version.js';
import { errorResponse } from './errors.js';
import { RequestContext } from './request-context.js';
import type { Router } from './router.js';

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

export interface Listener {
  /** unix:///path or tcp://host:port */
  address: string;
  close(): Promise<void>;
}

export type RequestLogger = (line: string) => void;

export interface ServeOptions {
  tls?: TlsFiles | undefined;
  /** Log every request with its status and how long its handler took (berthd -D). */
  debug?: boolean | undefined;
}

export function serveRouter(router: Router, log: RequestLogger, debug = false): (req: IncomingMessage, res: ServerResponse | undefined, socket: Duplex, head: Buffer) => void {
  return (req, res, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://berthd');
    if (debug) logRequest(req, res, url, log);
    let ctx: RequestContext | undefined;
    const run = async () => {
      const route = router.match(req.method ?? 'GET', url.pathname);
      ctx = new RequestContext(req, res, socket, head, route.params, url.searchParams, route.apiVersion);
      await route.handler(ctx);
    };
    run().catch((err: unknown) => {
      const { status, message } = errorResponse(err);
      if (status >= 500) log(`${req.method} ${url.pathname}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      const answer = ctx ?? new RequestContext(req, res, socket, head, {}, url.searchParams, apiVersion);
      if (answer.isAnswered) {
        // Already streaming: the error can only end the stream.
        socket.end();
        return;
      }
      if (status === 304) answer.sendStatus(304);
      else answer.sendJson(status, { message });
    });
  };
}

/** `-D`: one line per request once its answer is sent (a hijacked stream: once it is handed over). */
function logRequest(req: IncomingMessage, res: ServerResponse | undefined, url: URL, log: RequestLogger): void {
  const began = performance.now();
  const done = (status: number | string) => log(`${req.method} ${url.pathname}${url.search} ${status} ${(performance.now() - began).toFixed(1)} ms`);
  if (res) res.once('finish', () => done(res.statusCode));
  else done('upgrade');
}

function commonHeaders(res: ServerResponse): void {
  res.setHeader('Api-Version', apiVersion);
  res.setHeader('Docker-Experimental', 'false');
  res.setHeader('Ostype', 'linux');
  res.setHeader('Server', `berth/${apiVersion} (linux)`);
}

function attach(server: Server, router: Router, log: RequestLogger, debug: boolean): void {
  const handle = serveRouter(router, log, debug);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    commonHeaders(res);
    handle(req, res, req.socket, Buffer.alloc(0));
  });
  // `Upgrade: tcp` (attach, exec start): Node hands the socket over, detached from HTTP.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => handle(req, undefined, socket, head));
  server.keepAliveTimeout = 60_000;
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
}

export async function listen(address: string, router: Router, log: RequestLogger, options: ServeOptions = {}): Promise<Listener> {
  const { tls, debug = false } = options;
  const url = /^(unix|tcp):\/\/(.+)$/.exec(address);
  if (!url) throw new InvalidArgument(`invalid host address "${address}": use unix:///path or tcp://host:port`);
  if (url[1] === 'unix') {
    const path = url[2]!;
    mkdirSync(dirname(path), { recursive: true, mode: 0o711 });
    // A socket left by a daemon that died; a live one would have refused our start earlier.
    if (existsSync(path)) unlinkSync(path);
    const server = createServer();
    attach(server, router, log, debug);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
    chmodSync(path, 0o660);
    return { address, close: () => closeServer(server, () => { try { unlinkSync(path); } catch { /* gone */ } }) };
  }
  if (!tls) {
    throw new InvalidArgument(`refusing to listen on ${address} without TLS: give --tlsverify --tlscacert --tlscert --tlskey`);
  }
  const hostPort = /^(.*):(\d+)$/.exec(url[2]!);
  if (!hostPort) throw new InvalidArgument(`invalid TCP address "${address}": use tcp://host:port`);
  const server = createTlsServer({
    ca: readFileSync(tls.ca),
    cert: readFileSync(tls.cert),
    key: readFileSync(tls.key),
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
  });
  attach(server, router, log, debug);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(hostPort[2]), hostPort[1]!.replace(/^\[|\]$/g, ''), () => resolve());
  });
  return { address, close: () => closeServer(server, () => {}) };
}

function closeServer(server: Server, after: () => void): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      after();
      resolve();
    });
    server.closeAllConnections();
  });
}
