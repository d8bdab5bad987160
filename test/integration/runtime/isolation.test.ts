// What a process inside a berth container sees: its own pid, uts, mount, network and user
// namespaces, the spec's user, capabilities, rlimits, read-only and masked paths, seccomp.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, type BundleOptions } from '../../support/sandbox.js';
import type { RunResult } from '../../../src/runtime/container/run.js';

describe('container isolation', () => {
  let sandbox: Sandbox;
  let count = 0;
  before(() => { sandbox = new Sandbox(); });
  after(async () => { await sandbox.cleanup(); });

  const sh = (script: string, options?: BundleOptions): Promise<RunResult> =>
    sandbox.runtime.run(sandbox.id(`iso${++count}`), {
      bundle: sandbox.bundle(['sh', '-c', script], options),
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  it('is pid 1 of its own pid namespace and sees only its own processes', async () => {
    const r = await sh('echo $$; ls /proc | grep -c "^[0-9]"');
    assert.equal(r.stderr, '');
    const [pid, processes] = r.stdout.trim().split('\n');
    assert.equal(pid, '1');
    assert.ok(Number(processes) <= 4, `sees ${processes} processes`);
  });

  it('has the hostname of the spec and only a loopback interface', async () => {
    const r = await sh('hostname; ls /sys/class/net');
    assert.equal(r.stdout, 'berth-test\nlo\n');
  });

  it('runs as the spec\'s user with its groups, umask, cwd and environment', async () => {
    const r = await sh('id -u; id -g; id -G; umask; pwd; echo $GREETING', {
      edit: (spec) => {
        spec.process!.user = { uid: 65534, gid: 65534, additionalGids: [10, 20], umask: 0o027 };
        spec.process!.cwd = '/tmp';
        spec.process!.env!.push('GREETING=hello');
      },
    });
    assert.equal(r.stdout, '65534\n65534\n65534 10 20\n0027\n/tmp\nhello\n');
  });

  it('has exactly the capabilities of the spec', async () => {
    const r = await sh('grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status');
    // CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29): the default spec's three.
    const expected = '0000000020000420';
    assert.equal(r.stdout, `CapInh:\t0000000000000000\nCapPrm:\t${expected}\nCapEff:\t${expected}\nCapBnd:\t${expected}\nCapAmb:\t0000000000000000\n`);
  });

  it('applies rlimits and no_new_privs', async () => {
    const r = await sh('ulimit -n; grep NoNewPrivs /proc/self/status');
    assert.equal(r.stdout, '1024\nNoNewPrivs:\t1\n');
  });

  it('has a read-only root and the masked and read-only paths of the spec', async () => {
    const r = await sh('touch /rootfs-write 2>&1; wc -c < /proc/timer_list; ls /sys/firmware | wc -l; (echo 1 > /proc/sys/kernel/domainname) 2>&1; echo done');
    assert.match(r.stdout, /touch: \/rootfs-write: Read-only file system/);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[1], '0', '/proc/timer_list is masked by /dev/null');
    assert.equal(lines[2], '0', '/sys/firmware is masked by an empty read-only tmpfs');
    assert.match(lines[3]!, /Read-only file system/);
  });

  it('mounts the default devices and their /dev links', async () => {
    const r = await sh('ls /dev | sort | tr "\\n" " "; echo; readlink /dev/fd; readlink /dev/stdin; head -c 4 /dev/zero | wc -c');
    // No /dev/console: that is the pty, present only with process.terminal.
    for (const name of ['full', 'null', 'ptmx', 'pts', 'random', 'shm', 'tty', 'urandom', 'zero', 'mqueue']) {
      assert.match(r.stdout, new RegExp(`\\b${name}\\b`), `/dev/${name}`);
    }
    assert.match(r.stdout, /\/proc\/self\/fd\n\/proc\/self\/fd\/0\n4\n/);
  });

  it('maps users in its own user namespace', async () => {
    const r = await sh('id -u; cat /proc/self/uid_map /proc/self/gid_map | tr -s " "', {
      edit: (spec) => {
        spec.linux!.namespaces!.push({ type: 'user' });
        spec.linux!.uidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
        spec.linux!.gidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
      },
    });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, '0\n 0 200000 65536\n 0 200000 65536\n');
  });

  it('filters system calls with the spec\'s seccomp profile', async () => {
    const r = await sh('mkdir /tmp/blocked 2>&1; echo getpid-works $$', {
      edit: (spec) => {
        spec.mounts!.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev'] });
        spec.linux!.seccomp = {
          defaultAction: 'SCMP_ACT_ALLOW',
          architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
          syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
        };
      },
    });
    assert.equal(r.stdout, 'mkdir: can\'t create directory \'/tmp/blocked\': Operation not permitted\ngetpid-works 1\n');
  });

  it('sets namespaced sysctls and refuses host-wide ones', async () => {
    const r = await sh('cat /proc/sys/net/ipv4/ip_forward', {
      edit: (spec) => { spec.linux!.sysctl = { 'net.ipv4.ip_forward': '1' }; },
    });
    assert.equal(r.stdout, '1\n');
    await assert.rejects(sh('true', { edit: (spec) => { spec.linux!.sysctl = { 'vm.swappiness': '10' }; } }), /vm\.swappiness/);
  });
});
