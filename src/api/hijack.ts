// Hijacked connections, as docker's client makes them for attach and exec start: a plain
// HTTP/1.1 request with `Connection: Upgrade` and `Upgrade: tcp` written on a fresh socket;
// after the answer's headers (101, or 200 from daemons that do not upgrade) the socket is the
// raw two-way stream. The socket is half-open: ending stdin shuts down only our write side,
// and output keeps flowing until the daemon closes.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { DaemonAddress } from './host.js';
import type { TlsMaterial } from './client.js';
import { ApiError, errorMessage } from './client.js';

export interface HijackedConnection {
  socket: Socket;
  /** Stream bytes that arrived with the response headers. */
  head: Buffer;
  status: number;
  headers: Record<string, string>;
  /** True when the daemon frames output (no TTY): application/vnd.docker.multiplexed-stream. */
  multiplexed: boolean;
}

export function openHijacked(address: DaemonAddress, tls: TlsMaterial | undefined, method: string, path: string,
  body: Buffer | undefined, extraHeaders: Record<string, string>): Promise<HijackedConnection> {
  return new Promise((resolve, reject) => {
    const socket: Socket = address.kind === 'unix'
      ? netConnect({ path: address.path, allowHalfOpen: true })
      : tls
        ? tlsConnect({ host: address.host, port: address.port, ...tls, allowHalfOpen: true } as never)
        : netConnect({ host: address.host, port: address.port, allowHalfOpen: true });
    let received = Buffer.alloc(0);
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(err);
    };
    socket.once('error', fail);
    socket.once(tls && address.kind === 'tcp' ? 'secureConnect' : 'connect', () => {
      const headers: Record<string, string> = {
        Host: address.kind === 'unix' ? 'api.berth' : `${address.host}:${address.port}`,
        Connection: 'Upgrade',
        Upgrade: 'tcp',
        ...extraHeaders,
      };
      if (body) {
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = String(body.length);
      } else {
        headers['Content-Length'] = '0';
      }
      const head = [`${method} ${path} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join('\r\n') + '\r\n\r\n';
      socket.write(body ? Buffer.concat([Buffer.from(head), body]) : head);
    });
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) {
        if (received.length > 64 * 1024) fail(new Error('hijack: response headers too long'));
        return;
      }
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.pause();
      const lines = received.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const rest = received.subarray(end + 4);
      if (status === 101 || status === 200) {
        settled = true;
        socket.off('error', fail);
        resolve({
          socket, head: rest, status, headers,
          multiplexed: (headers['content-type'] ?? '').includes('multiplexed') || (headers['content-type'] ?? '') === '',
        });
        return;
      }
      readErrorBody(socket, rest, headers).then(
        (text) => fail(new ApiError(status, errorMessage(status, text))),
        fail,
      );
    };
    const onEnd = () => fail(new Error('hijack: the daemon closed the connection before answering'));
    socket.on('data', onData);
    socket.once('end', onEnd);
  });
}

/** The body of an error answer: by Content-Length, chunked, or up to the close. */
function readErrorBody(socket: Socket, first: Buffer, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    let body = first;
    const length = headers['content-length'] !== undefined ? Number(headers['content-length']) : undefined;
    const done = () => {
      socket.destroy();
      let out = body;
      if ((headers['transfer-encoding'] ?? '').includes('chunked')) out = dechunk(body);
      resolve(out.subarray(0, length ?? out.length).toString('utf8'));
    };
    if (length !== undefined && body.length >= length) return done();
    socket.on('data', (chunk: Buffer) => {
      body = Buffer.concat([body, chunk]);
      if (length !== undefined && body.length >= length) done();
    });
    socket.once('end', done);
    socket.once('close', done);
    socket.resume();
  });
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < data.length) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!size) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
