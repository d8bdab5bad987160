// berth starts berthd when nothing answers and no host was named: README's two commands rely on
// it. The berthd here is described by its own daemon.json (BERTH_DAEMON_CONFIG) with a private
// data root, exec root, socket and bridge, so the host's /run/berth and /var/lib/berth are
// never touched; the CLI finds the socket from the same file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { releasePortmapChains } from '../../../src/daemon/engine/network/firewall.js';
import { removeHostBridge } from '../../../src/daemon/engine/network/network-service.js';
import { packageRoot } from '../../../src/paths.js';
import { Runtime } from '../../../src/runtime/runtime.js';
import { busyboxRootfs, requireFixtures } from '../../support/fixtures.js';
import { waitFor } from '../../support/streams.js';

const berth = join(packageRoot, 'bin', 'berth');

describe('berth autostart', () => {
  let dir: string;
  let execRoot: string;
  let env: NodeJS.ProcessEnv;
  const bridge = `bta${randomBytes(4).toString('hex')}`;

  const run = (args: string[], input?: Buffer) => spawnSync(process.execPath, [berth, ...args], { env, input, encoding: 'utf8', timeout: 60_000 });
  const daemonPid = (): number | undefined => {
    const file = join(execRoot, 'berthd.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
  };

  before(() => {
    requireFixtures();
    dir = mkdtempSync(join(tmpdir(), 'berth-autostart-'));
    execRoot = join(dir, 'run');
    const [a, b, c] = randomBytes(3);
    const config = join(dir, 'daemon.json');
    writeFileSync(config, JSON.stringify({
      'data-root': join(dir, 'data'),
      'exec-root': execRoot,
      bridge,
      bip: `10.${220 + (a! % 10)}.${b}.1/24`,
      'default-address-pools': [{ base: `10.${230 + (a! % 10)}.${c! & 0xf0}.0/20`, size: 24 }],
    }));
    // Nothing names a host: not the caller's DOCKER_HOST or BERTH_HOST either.
    env = { PATH: process.env.PATH, HOME: dir, BERTH_DAEMON_CONFIG: config };
  });

  after(async () => {
    const pid = daemonPid();
    if (pid) {
      try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
      await waitFor(() => !existsSync(`/proc/${pid}`), 10_000).catch(() => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } });
    }
    // Containers a failed test left: through the runtime's own state under this exec root.
    const runtime = new Runtime({ root: join(execRoot, 'runtime') });
    for (const c of await runtime.list().catch(() => [])) await runtime.delete(c.id, { force: true }).catch(() => {});
    await removeHostBridge({ bridge, internal: false }).catch(() => {});
    await releasePortmapChains().catch(() => {});
    spawnSync('sh', ['-c', `grep -o ' ${dir}[^ ]*' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l`]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts berthd in the background when nothing answers, then talks to it', () => {
    assert.equal(daemonPid(), undefined);
    const first = run(['version', '--format', '{{.Server.Version}}']);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, new RegExp(`^berth: berthd was not running; started it in the background \\(pid \\d+, log ${execRoot}/berthd\\.log\\)\\n$`));
    assert.match(first.stdout, /^\d+\.\d+\.\d+\n$/);
    const pid = daemonPid();
    assert.ok(pid && existsSync(`/proc/${pid}`), 'berthd runs, detached from the CLI');
    assert.ok(existsSync(join(execRoot, 'berth.sock')), 'it listens on the socket its daemon.json implies');
    // The next command finds it running: no second start.
    const second = run(['ps', '-a', '-q']);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stderr, '');
    assert.equal(daemonPid(), pid);
  });

  it("runs README's command once an image is there", () => {
    const tar = spawnSync('tar', ['--numeric-owner', '-C', busyboxRootfs, '-cf', '-', '.'], { maxBuffer: 64 << 20 });
    assert.equal(tar.status, 0);
    const imported = run(['import', '-c', 'CMD ["sh"]', '-', 'busybox:latest'], tar.stdout as unknown as Buffer);
    assert.equal(imported.status, 0, imported.stderr);
    const hello = run(['run', '--rm', 'busybox', 'echo', 'hello']);
    assert.equal(hello.stderr, '');
    assert.equal(hello.stdout, 'hello\n');
    assert.equal(hello.status, 0);
  });

  it('never starts berthd with BERTH_NO_AUTOSTART, or for a host named explicitly', () => {
    const pid = daemonPid();
    if (pid) process.kill(pid, 'SIGTERM');
    spawnSync('sh', ['-c', `while [ -e /proc/${pid} ]; do sleep 0.05; done`], { timeout: 10_000 });
    const off = spawnSync(process.execPath, [berth, 'ps'], { env: { ...env, BERTH_NO_AUTOSTART: '1' }, encoding: 'utf8' });
    assert.equal(off.status, 1);
    assert.match(off.stderr, /Cannot connect to the berth daemon at unix:\/\/.*\/run\/berth\.sock\. Is berthd running\?/);
    const named = spawnSync(process.execPath, [berth, '-H', `unix://${join(dir, 'other.sock')}`, 'ps'], { env, encoding: 'utf8' });
    assert.equal(named.status, 1);
    assert.match(named.stderr, /Cannot connect to the berth daemon/);
    assert.equal(existsSync(join(execRoot, 'berthd.pid')), false);
  });
});
