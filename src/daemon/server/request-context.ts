// One API request as a route sees it: path parameters, the query, the body, and the ways to
// answer — JSON, a stream of JSON messages, or a hijacked connection (attach, exec). Routes
// never touch HTTP framing themselves; requests that came as `Upgrade: tcp` have no
// ServerResponse, so answers are written raw on the socket for them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { InvalidArgument } from '../../errors.js';

/** Bodies larger than this are refused: create and exec configs are a few KiB. */
const maxJsonBody = 16 * 1024 * 1024;

export class RequestContext {
  private answered = false;

  constructor(
    readonly req: IncomingMessage,
    /** Absent for `Upgrade: tcp` requests, whose socket is already detached from HTTP. */
    private readonly res: ServerResponse | undefined,
    readonly socket: Duplex,
    /** Bytes that arrived after an upgrade request's headers: its body, then early stdin. */
    private head: Buffer,
    readonly params: Record<string, string>,
    readonly query: URLSearchParams,
    /** The version the client asked for in the path, or the daemon's own. */
    readonly apiVersion: string,
  ) {}

  get isAnswered(): boolean {
    return this.answered;
  }

  /** A query flag as Docker parses them: "1", "true", "True" (and "yes") are true. */
  flag(name: string, fallback = false): boolean {
    const value = this.query.get(name);
    if (value === null || value === '') return fallback;
    return ['1', 'true', 'True', 'TRUE', 'yes'].includes(value);
  }

  /** An integer query parameter; a malformed one is the client's error. */
  integer(name: string): number | undefined {
    const value = this.query.get(name);
    if (value === null || value === '') return undefined;
    const n = Number(value);
    if (!Number.isInteger(n)) throw new InvalidArgument(`invalid value for ${name}: "${value}" is not an integer`);
    return n;
  }

  /** The JSON body; an empty body is `{}`. */
  async json<T = Record<string, unknown>>(): Promise<T> {
    const text = (await this.body(maxJsonBody)).toString('utf8');
    if (text.trim() === '') return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new InvalidArgument(`invalid JSON: ${(err as Error).message}`);
    }
  }

  private async body(limit: number): Promise<Buffer> {
    if (!this.res) return this.upgradeBody(limit);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new InvalidArgument(`request body larger than ${limit} bytes`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  /**
   * An `Upgrade: tcp` request's body (exec start's JSON) is not parsed by Node: it arrives on
   * the socket after the headers, Content-Length bytes, before anything the client streams.
   */
  private async upgradeBody(limit: number): Promise<Buffer> {
    const length = Number(this.req.headers['content-length'] ?? 0);
    if (!Number.isInteger(length) || length < 0 || length > limit) throw new InvalidArgument(`invalid Content-Length for an upgrade request`);
    while (this.head.length < length) {
      const chunk = await new Promise<Buffer | null>((resolve) => {
        const onData = (d: Buffer) => { cleanup(); resolve(d); };
        const onEnd = () => { cleanup(); resolve(null); };
        const cleanup = () => { this.socket.off('data', onData); this.socket.off('end', onEnd); this.socket.pause(); };
        this.socket.on('data', onData);
        this.socket.on('end', onEnd);
        this.socket.resume();
      });
      if (!chunk) throw new InvalidArgument('the request body ended early');
      this.head = Buffer.concat([this.head, chunk]);
    }
    const body = this.head.subarray(0, length);
    this.head = this.head.subarray(length);
    return body;
  }

  /** The request body as a stream (load, import, build contexts). */
  get bodyStream(): IncomingMessage {
    return this.req;
  }

  sendJson(status: number, body: unknown): void {
    this.send(status, 'application/json', status === 204 || status === 304 ? '' : JSON.stringify(body) + '\n');
  }

  sendStatus(status: number): void {
    this.send(status, 'text/plain; charset=utf-8', '');
  }

  sendText(status: number, contentType: string, text: string): void {
    this.send(status, contentType, text);
  }

  private send(status: number, contentType: string, body: string): void {
    this.answered = true;
    const headers: Record<string, string> = { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) };
    if (this.res) {
      if (this.res.headersSent) {
        this.res.end();
        return;
      }
      this.res.writeHead(status, headers);
      this.res.end(body);
      return;
    }
    writeRawHead(this.socket, status, { ...headers, Connection: 'close' });
    this.socket.end(body);
  }

  /**
   * A response streamed as it is produced: newline-delimited JSON messages (pull progress,
   * events) or plain bytes (logs, save). Returns the writable end.
   */
  startStream(contentType: string, status = 200): NodeJS.WritableStream {
    this.answered = true;
    if (this.res) {
      this.res.writeHead(status, { 'Content-Type': contentType });
      this.res.flushHeaders();
      return this.res;
    }
    writeRawHead(this.socket, status, { 'Content-Type': contentType, Connection: 'close' });
    return this.socket;
  }

  /**
   * Takes the connection over for a raw two-way stream (attach, exec start): 101 UPGRADED when
   * the client asked for `Upgrade: tcp`, else 200 and the raw stream on the same socket. The
   * socket half-closes: the client ends stdin with a write-side shutdown and still reads output.
   */
  hijack(contentType: string): { socket: Duplex; head: Buffer } {
    this.answered = true;
    const upgrade = (this.req.headers.upgrade ?? '').toLowerCase() === 'tcp';
    if (this.res) {
      // A plain request keeps Node's HTTP parser on the socket; output still flows, unframed.
      this.res.socket?.setTimeout(0);
      this.res.writeHead(200, { 'Content-Type': contentType, Connection: 'close' });
      (this.res as unknown as { useChunkedEncodingByDefault: boolean }).useChunkedEncodingByDefault = false;
      this.res.flushHeaders();
      return { socket: this.socket, head: Buffer.alloc(0) };
    }
    (this.socket as Partial<import('node:net').Socket>).setTimeout?.(0);
    if (upgrade) {
      writeRawHead(this.socket, 101, { 'Content-Type': contentType, Connection: 'Upgrade', Upgrade: 'tcp' }, 'UPGRADED');
    } else {
      writeRawHead(this.socket, 200, { 'Content-Type': contentType });
    }
    return { socket: this.socket, head: this.head };
  }
}

const reasons: Record<number, string> = {
  101: 'Switching Protocols', 200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified',
  400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error', 501: 'Not Implemented',
  503: 'Service Unavailable',
};

function writeRawHead(socket: Duplex, status: number, headers: Record<string, string>, reason = reasons[status] ?? 'Status'): void {
  const lines = [`HTTP/1.1 ${status} ${reason}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.write(lines.join('\r\n') + '\r\n\r\n');
}
