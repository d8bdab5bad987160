import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags, type FlagSpecs } from '../../../src/cli/berth/options.js';
import {
  buildCreatePlan, containerFlags, parseEnvFile, parseMount, parsePortSpec, parseTmpfs, parseUlimit, parseVolume, parseGoDuration,
} from '../../../src/cli/berth/container-options.js';
import { UsageError } from '../../../src/cli/exit.js';

const runFlags: FlagSpecs = { ...containerFlags, detach: { type: 'boolean', short: 'd' } };
const parseRun = (...args: string[]) => parseFlags('run', args, runFlags, { interspersed: false });
const plan = (...args: string[]) => {
  const { values, positionals } = parseRun(...args);
  return buildCreatePlan(values, positionals, { detach: values.detach === true });
};

describe('berth flag syntax', () => {
  it('reads short clusters: -it, -dit', () => {
    const { values } = parseRun('-dit', 'busybox');
    assert.equal(values.detach, true);
    assert.equal(values.interactive, true);
    assert.equal(values.tty, true);
  });

  it('gives a value flag at the end of a cluster the rest or the next argument', () => {
    assert.deepEqual(parseRun('-p8080:80', 'img').values.publish, ['8080:80']);
    assert.deepEqual(parseRun('-ip', '1:2', 'img').values.publish, ['1:2']);
    assert.deepEqual(parseRun('-e=A=1', 'img').values.env, ['A=1']);
  });

  it('takes --flag=value and --flag value, and collects repeated flags in order', () => {
    const { values } = parseRun('-e', 'A=1', '--env=B=2', '--env', 'C=3', '-l', 'x=y', '--name=n1', 'img');
    assert.deepEqual(values.env, ['A=1', 'B=2', 'C=3']);
    assert.deepEqual(values.label, ['x=y']);
    assert.equal(values.name, 'n1');
  });

  it('ends the options at the image: the command keeps its own flags', () => {
    const { positionals, values } = parseRun('--rm', 'busybox', 'ls', '-la', '--rm');
    assert.deepEqual(positionals, ['busybox', 'ls', '-la', '--rm']);
    assert.equal(values.rm, true);
  });

  it('treats what follows -- as positional', () => {
    const parsed = parseFlags('rm', ['-f', '--', '-odd-name'], { force: { type: 'boolean', short: 'f' } });
    assert.deepEqual(parsed.positionals, ['-odd-name']);
  });

  it('intersperses flags and arguments for other commands', () => {
    const parsed = parseFlags('rm', ['a', '-f', 'b'], { force: { type: 'boolean', short: 'f' } });
    assert.deepEqual(parsed.positionals, ['a', 'b']);
    assert.equal(parsed.values.force, true);
  });

  it('accepts --bool=false, and sees --help', () => {
    assert.equal(parseFlags('x', ['--sig-proxy=false'], { 'sig-proxy': { type: 'boolean', default: true } }).values['sig-proxy'], false);
    assert.equal(parseFlags('x', ['--help'], {}).help, true);
  });

  it('refuses unknown flags and missing values as docker words them', () => {
    assert.throws(() => parseRun('--bogus', 'img'), (e: Error) => e instanceof UsageError && e.message === 'unknown flag: --bogus');
    assert.throws(() => parseRun('-Z', 'img'), /unknown shorthand flag: 'Z' in -Z/);
    assert.throws(() => parseRun('--name'), /flag needs an argument: --name/);
  });
});

describe('run flags → create body', () => {
  it('builds Config and HostConfig for a foreground run', () => {
    const p = plan('--rm', '-e', 'A=1', '-w', '/tmp', '-u', '1000', '-h', 'box', '--name', 'c1', 'busybox', 'echo', 'hi');
    assert.equal(p.name, 'c1');
    assert.equal(p.body.Image, 'busybox');
    assert.deepEqual(p.body.Cmd, ['echo', 'hi']);
    assert.deepEqual(p.body.Env, ['A=1']);
    assert.equal(p.body.WorkingDir, '/tmp');
    assert.equal(p.body.User, '1000');
    assert.equal(p.body.Hostname, 'box');
    assert.equal(p.body.AttachStdout, true);
    assert.equal(p.body.AttachStderr, true);
    assert.equal(p.body.AttachStdin, false);
    assert.equal(p.body.HostConfig!.AutoRemove, true);
  });

  it('attaches nothing with -d, and stdin once with -i', () => {
    const detached = plan('-d', 'busybox');
    assert.equal(detached.body.AttachStdout, false);
    assert.equal(detached.body.Cmd, null);
    const interactive = plan('-i', 'busybox', 'cat');
    assert.equal(interactive.body.AttachStdin, true);
    assert.equal(interactive.body.OpenStdin, true);
    assert.equal(interactive.body.StdinOnce, true);
  });

  it('parses resources: memory in binary units, cpus in nano CPUs, pids, ulimits', () => {
    const h = plan('-m', '512m', '--memory-swap', '-1', '--memory-reservation', '1g', '--cpus', '1.5', '--cpu-shares', '512',
      '--cpu-quota', '50000', '--cpu-period', '100000', '--cpuset-cpus', '0-1', '--pids-limit', '100', '--ulimit', 'nofile=1024:2048',
      '--shm-size', '64m', 'busybox').body.HostConfig!;
    assert.equal(h.Memory, 512 * 1024 * 1024);
    assert.equal(h.MemorySwap, -1);
    assert.equal(h.MemoryReservation, 1024 ** 3);
    assert.equal(h.NanoCpus, 1_500_000_000);
    assert.equal(h.CpuShares, 512);
    assert.equal(h.CpuQuota, 50000);
    assert.equal(h.CpuPeriod, 100000);
    assert.equal(h.CpusetCpus, '0-1');
    assert.equal(h.PidsLimit, 100);
    assert.deepEqual(h.Ulimits, [{ Name: 'nofile', Soft: 1024, Hard: 2048 }]);
    assert.equal(h.ShmSize, 64 * 1024 * 1024);
  });

  it('parses security and namespace flags', () => {
    const p = plan('--cap-add', 'NET_ADMIN', '--cap-drop', 'ALL', '--privileged', '--read-only', '--init', '--security-opt', 'no-new-privileges',
      '--pid', 'host', '--ipc', 'private', '--uts', 'host', '--network', 'none', '--runtime', 'runc', '--sysctl', 'net.ipv4.ip_forward=1',
      '--restart', 'on-failure:3', '--stop-signal', 'SIGINT', '--stop-timeout', '5', '--entrypoint', '/bin/sh', '-l', 'a=b', 'busybox');
    const h = p.body.HostConfig!;
    assert.deepEqual(h.CapAdd, ['NET_ADMIN']);
    assert.deepEqual(h.CapDrop, ['ALL']);
    assert.equal(h.Privileged, true);
    assert.equal(h.ReadonlyRootfs, true);
    assert.equal(h.Init, true);
    assert.deepEqual(h.SecurityOpt, ['no-new-privileges']);
    assert.equal(h.PidMode, 'host');
    assert.equal(h.IpcMode, 'private');
    assert.equal(h.UTSMode, 'host');
    assert.equal(h.NetworkMode, 'none');
    assert.equal(h.Runtime, 'runc');
    assert.deepEqual(h.Sysctls, { 'net.ipv4.ip_forward': '1' });
    assert.deepEqual(h.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
    assert.equal(p.body.StopSignal, 'SIGINT');
    assert.equal(p.body.StopTimeout, 5);
    assert.deepEqual(p.body.Entrypoint, ['/bin/sh']);
    assert.deepEqual(p.body.Labels, { a: 'b' });
  });

  it('parses -p into ExposedPorts and PortBindings', () => {
    const p = plan('-p', '8080:80', '-p', '127.0.0.1:5353:53/udp', '-p', '443', '-p', '[::1]:9000:9000', 'busybox');
    assert.deepEqual(p.body.ExposedPorts, { '80/tcp': {}, '53/udp': {}, '443/tcp': {}, '9000/tcp': {} });
    assert.deepEqual(p.body.HostConfig!.PortBindings, {
      '80/tcp': [{ HostIp: '', HostPort: '8080' }],
      '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
      '443/tcp': [{ HostIp: '', HostPort: '' }],
      '9000/tcp': [{ HostIp: '::1', HostPort: '9000' }],
    });
    assert.deepEqual(parsePortSpec('8000-8001:80-81').bindings, { '80/tcp': [{ HostIp: '', HostPort: '8000' }], '81/tcp': [{ HostIp: '', HostPort: '8001' }] });
    assert.throws(() => parsePortSpec('80/xyz'), /invalid proto/);
  });

  it('parses -v into Binds and anonymous Volumes, --tmpfs and --mount into HostConfig', () => {
    const p = plan('-v', '/host:/ctr:ro', '-v', '/anon', '--tmpfs', '/run:rw,size=64m', '--tmpfs', '/tmp',
      '--mount', 'type=bind,source=/a,target=/b,readonly', '--mount', 'type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1777', 'busybox');
    assert.deepEqual(p.body.HostConfig!.Binds, ['/host:/ctr:ro']);
    assert.deepEqual(p.body.Volumes, { '/anon': {} });
    assert.deepEqual(p.body.HostConfig!.Tmpfs, { '/run': 'rw,size=64m', '/tmp': '' });
    assert.deepEqual(p.body.HostConfig!.Mounts, [
      { Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true },
      { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1024 * 1024, Mode: 0o1777 } },
    ]);
    assert.deepEqual(parseVolume('data:/var/lib'), { bind: 'data:/var/lib' });
    assert.throws(() => parseVolume('relative'), /mount path must be absolute/);
    assert.deepEqual(parseTmpfs('/x:size=1k'), ['/x', 'size=1k']);
    assert.deepEqual(parseMount('type=bind,src=/s,dst=/d,bind-propagation=rshared'), { Type: 'bind', Source: '/s', Target: '/d', BindOptions: { Propagation: 'rshared' } });
    assert.throws(() => parseMount('type=bind,target=/d'), /source is required/);
    assert.throws(() => parseMount('type=tmpfs,target=/d,bind-propagation=shared'), /cannot mix/);
  });

  it('parses ulimits and durations', () => {
    assert.deepEqual(parseUlimit('nproc=10'), { Name: 'nproc', Soft: 10, Hard: 10 });
    assert.throws(() => parseUlimit('nofile=20:10'), /soft limit/);
    assert.equal(parseGoDuration('1m30s'), 90e9);
    assert.equal(parseGoDuration('500ms'), 500e6);
  });

  it('reads env files as docker does', () => {
    const text = '\uFEFF# comment\n\nA=1\n  B=indented\nFROM_ENV\nUNSET_VAR\nC=x=y\n';
    const env = parseEnvFile(text, (name) => (name === 'FROM_ENV' ? 'v' : undefined));
    assert.deepEqual(env, ['A=1', 'B=indented', 'FROM_ENV=v', 'C=x=y']);
    assert.ok(!env.some((e) => e.startsWith('UNSET_VAR')));
    assert.throws(() => parseEnvFile('BAD NAME=1'), /contains whitespaces/);
  });

  it('puts --env-file before -e, and -e VAR takes berth\'s environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-env-'));
    try {
      writeFileSync(join(dir, 'env'), 'X=file\n');
      process.env.BERTH_TEST_VAR = 'inherited';
      const p = plan('--env-file', join(dir, 'env'), '-e', 'X=flag', '-e', 'BERTH_TEST_VAR', 'busybox');
      assert.deepEqual(p.body.Env, ['X=file', 'X=flag', 'BERTH_TEST_VAR=inherited']);
    } finally {
      delete process.env.BERTH_TEST_VAR;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('validates --pull and refuses -a with -d', () => {
    assert.equal(plan('--pull', 'never', 'busybox').pull, 'never');
    assert.throws(() => plan('--pull', 'sometimes', 'busybox'), /invalid pull option/);
    assert.throws(() => plan('-d', '-a', 'stdout', 'busybox'), /Conflicting options: -a and -d/);
  });
});
