// A token server for the reference registry's token auth (Docker's token authentication
// spec): it checks Basic credentials and issues RS256 JWTs carrying the granted access, signed
// with a throwaway certificate that the registry trusts (its rootcertbundle).
import { spawnSync } from 'node:child_process';
import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

export interface TokenServerOptions {
  dir: string;
  service: string;
  credentials: { username: string; password: string };
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export class TokenServer {
  readonly issuer = 'berth-test-issuer';
  readonly certificatePath: string;
  private readonly key: string;
  private readonly certificateDer: Buffer;
  private server: Server | undefined;
  realm = '';
  /** Scopes asked for, in order, for the tests to inspect. */
  readonly requests: string[][] = [];

  constructor(private readonly options: TokenServerOptions) {
    const keyPath = join(options.dir, 'token-key.pem');
    this.certificatePath = join(options.dir, 'token-cert.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', this.certificatePath, '-days', '1', '-subj', '/CN=berth-test-token'], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`openssl could not make the token certificate: ${made.stderr}`);
    this.key = readFileSync(keyPath, 'utf8');
    this.certificateDer = new X509Certificate(readFileSync(this.certificatePath)).raw;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://token');
      const expected = `Basic ${Buffer.from(`${this.options.credentials.username}:${this.options.credentials.password}`).toString('base64')}`;
      if (url.pathname !== '/token' || req.headers.authorization !== expected) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
        return;
      }
      const scopes = url.searchParams.getAll('scope');
      this.requests.push(scopes);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: this.sign(scopes) }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.realm = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/token`;
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise((r) => this.server!.close(r));
  }

  /** Grants what was asked: "repository:name:pull,push" → an access entry. */
  private sign(scopes: string[]): string {
    const access = scopes.map((scope) => {
      const [type, ...rest] = scope.split(':');
      const actions = rest.pop() ?? '';
      return { type, name: rest.join(':'), actions: actions.split(',') };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [this.certificateDer.toString('base64')] };
    const claims = {
      iss: this.issuer, sub: this.options.credentials.username, aud: this.options.service,
      exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access,
    };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(this.key);
    return `${signingInput}.${base64url(signature)}`;
  }
}
