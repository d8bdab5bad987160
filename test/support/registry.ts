// A real registry for the tests: Debian's docker-registry (distribution 2.8, the reference
// implementation) on 127.0.0.1 with its storage in a temporary directory.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const registryBinary = '/usr/bin/docker-registry';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class TestRegistry {
  private constructor(readonly host: string, private readonly process: ChildProcess, private readonly dir: string) {}

  static available(): boolean {
    return existsSync(registryBinary);
  }

  /** With `basicAuth`, the registry wants those credentials (htpasswd, bcrypt). */
  /** With `tokenAuth`, it sends clients to that token server and trusts its certificate. */
  static async start(options: {
    basicAuth?: { username: string; password: string };
    tokenAuth?: { realm: string; service: string; issuer: string; certificatePath: string };
  } = {}): Promise<TestRegistry> {
    const dir = mkdtempSync(join(tmpdir(), 'berth-registry-'));
    const port = await freePort();
    const config = join(dir, 'config.yml');
    const auth: string[] = [];
    if (options.basicAuth) {
      const htpasswd = join(dir, 'htpasswd');
      const made = spawnSync('htpasswd', ['-Bbn', options.basicAuth.username, options.basicAuth.password], { encoding: 'utf8' });
      if (made.status !== 0) throw new Error(`htpasswd (Debian apache2-utils) failed: ${made.stderr}`);
      writeFileSync(htpasswd, made.stdout);
      auth.push('auth:', `  htpasswd: { realm: berth-test, path: ${htpasswd} }`);
    }
    if (options.tokenAuth) {
      const t = options.tokenAuth;
      auth.push('auth:', `  token: { realm: "${t.realm}", service: ${t.service}, issuer: ${t.issuer}, rootcertbundle: ${t.certificatePath} }`);
    }
    writeFileSync(config, [
      'version: 0.1',
      'log: { level: error, accesslog: { disabled: true } }',
      'storage:',
      `  filesystem: { rootdirectory: ${join(dir, 'data')} }`,
      '  delete: { enabled: true }',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      ...auth,
      '',
    ].join('\n'));
    // Its log is quiet: it reports every 404 a test provokes on purpose as an error.
    const child = spawn(registryBinary, ['serve', config], { stdio: 'ignore' });
    const registry = new TestRegistry(`127.0.0.1:${port}`, child, dir);
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const status = (await fetch(`http://${registry.host}/v2/`)).status;
        if (status === 200 || ((options.basicAuth || options.tokenAuth) && status === 401)) return registry;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline || child.exitCode !== null) {
        await registry.stop();
        throw new Error('docker-registry did not start');
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null) {
      const exited = new Promise((r) => this.process.once('exit', r));
      this.process.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
