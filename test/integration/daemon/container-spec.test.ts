// A spec from the container spec builder, run for real by the runtime library: what a process
// inside a default Docker-like container sees.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox, leftovers } from '../../support/sandbox.js';
import { busyboxRootfs } from '../../support/fixtures.js';
import { buildContainerSpec } from '../../../src/daemon/engine/container/spec/build.js';
import type { ContainerConfig, HostConfig } from '../../../src/api/types/container-config.js';

const id = '0123456789ab'.padEnd(64, 'c');

describe('container spec builder, run by the runtime', () => {
  let sandbox: Sandbox;
  let rootfs: string;
  let hostFiles: { hostname: string; hosts: string; resolvConf: string };

  before(() => {
    sandbox = new Sandbox();
    rootfs = join(sandbox.dir, 'rootfs');
    cpSync(busyboxRootfs, rootfs, { recursive: true, verbatimSymlinks: true });
    const files = join(sandbox.dir, 'files');
    mkdirSync(files);
    hostFiles = { hostname: join(files, 'hostname'), hosts: join(files, 'hosts'), resolvConf: join(files, 'resolv.conf') };
    writeFileSync(hostFiles.hostname, 'spec-test\n');
    writeFileSync(hostFiles.hosts, '127.0.0.1\tlocalhost\n');
    writeFileSync(hostFiles.resolvConf, 'nameserver 192.0.2.1\n');
  });
  after(async () => {
    try {
      await sandbox.cleanup();
      assert.deepEqual(leftovers(sandbox), []);
    } catch (err) {
      console.error(err);
      throw err;
    }
  });

  async function runWith(name: string, config: ContainerConfig, hostConfig: HostConfig = {}): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const containerId = sandbox.id(name);
    const { spec } = await buildContainerSpec({
      id,
      config: { Image: 'busybox', Hostname: 'spec-test', ...config },
      hostConfig,
      imageConfig: undefined,
      rootfs,
      hostFiles,
      cgroupsPath: `/berth/${containerId}`,
      resolveContainerPid: () => {
        throw new Error('no other containers here');
      },
      reaperBinary: '/nonexistent',
      cgroupVersion: 1,
    });
    const bundle = join(sandbox.dir, `bundle-${name}`);
    mkdirSync(bundle);
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
    const result = await sandbox.runtime.run(containerId, { bundle, stdio: ['ignore', 'pipe', 'pipe'] });
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  }

  it('runs with Docker\'s capabilities, seccomp, masked and read-only paths, hostname and env', async () => {
    const script = [
      'grep -E "^(CapEff|CapBnd|Seccomp):" /proc/self/status',
      'echo "kcore=$(cat /proc/kcore | wc -c)"',
      '(echo 1 > /proc/sys/vm/drop_caches) 2>/dev/null && echo procsys=rw || echo procsys=ro',
      'echo "hostname=$(hostname)"',
      'echo "foo=$FOO home=$HOME path=$PATH"',
      'unshare -U true 2>&1; echo "unshare=$?"',
      'echo "resolv=$(cat /etc/resolv.conf)"',
    ].join('; ');
    const run = await runWith('defaults', { Cmd: ['sh', '-c', script], Env: ['FOO=bar'] });
    assert.equal(run.exitCode, 0, run.stderr);
    const out = run.stdout;
    assert.match(out, /^CapEff:\s+00000000a80425fb$/m);
    assert.match(out, /^CapBnd:\s+00000000a80425fb$/m);
    assert.match(out, /^Seccomp:\s+2$/m);
    assert.match(out, /^kcore=0$/m);
    assert.match(out, /^procsys=ro$/m);
    assert.match(out, /^hostname=spec-test$/m);
    assert.match(out, /^foo=bar home=\/root path=\/usr\/local\/sbin:\/usr\/local\/bin:\/usr\/sbin:\/usr\/bin:\/sbin:\/bin$/m);
    // unshare(CLONE_NEWUSER) needs no capability: only the seccomp filter refuses it.
    assert.match(out, /Operation not permitted/);
    assert.match(out, /^unshare=1$/m);
    assert.match(out, /^resolv=nameserver 192\.0\.2\.1$/m);
  });

  it('runs as the user named in Config.User, with no effective capabilities', async () => {
    const run = await runWith('nobody', { User: 'nobody', Cmd: ['sh', '-c', 'id; grep -E "^CapEff:" /proc/self/status'] });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout, /uid=65534\(nobody\) gid=65534/);
    assert.match(run.stdout, /^CapEff:\s+0000000000000000$/m);
  });

  it('runs without a filter with seccomp=unconfined, where unshare(CLONE_NEWUSER) works', async () => {
    const run = await runWith('unconfined', { Cmd: ['sh', '-c', 'grep Seccomp: /proc/self/status; unshare -U true && echo ok'] }, { SecurityOpt: ['seccomp=unconfined'] });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout, /^Seccomp:\s+0$/m);
    assert.match(run.stdout, /^ok$/m);
  });
});
