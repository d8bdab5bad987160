// The container spec builder: Docker's create request → the OCI spec, rule by rule.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildContainerSpec, ensureWorkingDir, type ContainerSpecInputs } from '../../../src/daemon/engine/container/spec/build.js';
import { containerCapabilities } from '../../../src/daemon/engine/container/spec/security.js';
import { defaultSeccomp } from '../../../src/daemon/engine/container/spec/seccomp.js';
import { resolveUser } from '../../../src/daemon/engine/container/spec/user.js';
import { mergeImageDefaults, commandArgs } from '../../../src/daemon/engine/container/spec/process.js';
import { compileSeccompFilter } from '../../../src/runtime/seccomp/index.js';
import { x86_64SyscallNumbers } from '../../../src/runtime/seccomp/syscalls/x86_64.js';
import { run } from '../seccomp/bpf-interpreter.js';
import { ALLOW, AUDIT_ARCH_X86_64, errno } from '../seccomp/helpers.js';
import type { HostConfig, ContainerConfig } from '../../../src/api/types/container-config.js';
import type { ImageConfig } from '../../../src/images/formats/image-config.js';

const id = 'abcdef0123456789'.repeat(4);
let dir: string;
let rootfs: string;

function inputs(config: ContainerConfig = {}, hostConfig: HostConfig = {}, more: Partial<ContainerSpecInputs> = {}): ContainerSpecInputs {
  return {
    id,
    config: { Image: 'busybox', Cmd: ['sh'], ...config },
    hostConfig,
    imageConfig: undefined,
    rootfs,
    hostFiles: { hostname: join(dir, 'hostname'), hosts: join(dir, 'hosts'), resolvConf: join(dir, 'resolv.conf') },
    cgroupsPath: `/berth/${id}`,
    resolveContainerPid: (name) => {
      if (name === 'other') return 4242;
      throw new Error(`no container ${name}`);
    },
    reaperBinary: join(dir, 'reaper'),
    cgroupVersion: 1,
    swapAccounting: true,
    hostArch: 'x64',
    kernelRelease: '6.1.0',
    ...more,
  };
}

const build = (config?: ContainerConfig, hostConfig?: HostConfig, more?: Partial<ContainerSpecInputs>) => buildContainerSpec(inputs(config, hostConfig, more));

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-spec-'));
  rootfs = join(dir, 'rootfs');
  mkdirSync(join(rootfs, 'etc'), { recursive: true });
  writeFileSync(join(rootfs, 'etc', 'passwd'), [
    'root:x:0:0:root:/root:/bin/sh',
    'daemon:x:1:1:daemon:/usr/sbin:/bin/false',
    'app:x:1000:1000:app:/home/app:/bin/sh',
    'nobody:x:65534:65534:nobody:/nonexistent:/bin/false',
    '',
  ].join('\n'));
  writeFileSync(join(rootfs, 'etc', 'group'), ['root:x:0:', 'daemon:x:1:', 'wheel:x:10:app', 'audio:x:29:app,other', 'app:x:1000:', 'nogroup:x:65534:', ''].join('\n'));
  writeFileSync(join(dir, 'reaper'), '');
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('Docker defaults', () => {
  it('grants the 14 default capabilities, masks and read-only paths, and the default mounts', async () => {
    const { spec } = await build();
    const caps = spec.process!.capabilities!;
    assert.deepEqual(caps.bounding, [
      'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID',
      'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
    ]);
    assert.deepEqual(caps.effective, caps.bounding);
    assert.deepEqual(caps.permitted, caps.bounding);
    assert.equal(caps.inheritable, undefined);
    assert.ok(spec.linux!.maskedPaths!.includes('/proc/kcore'));
    assert.ok(spec.linux!.maskedPaths!.includes('/sys/firmware'));
    assert.deepEqual(spec.linux!.readonlyPaths, ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
    const byDest = new Map(spec.mounts!.map((m) => [m.destination, m]));
    assert.deepEqual(byDest.get('/dev')!.options, ['rw', 'nosuid', 'strictatime', 'mode=755', 'size=65536k']);
    assert.ok(byDest.get('/dev/pts')!.options!.includes('ptmxmode=0666'));
    assert.ok(byDest.get('/sys')!.options!.includes('ro'));
    assert.equal(byDest.get('/sys/fs/cgroup')!.type, 'cgroup');
    assert.ok(byDest.get('/dev/shm')!.options!.includes(`size=${64 * 1024 * 1024}`));
    assert.equal(byDest.get('/dev/mqueue')!.type, 'mqueue');
    assert.equal(byDest.get('/etc/resolv.conf')!.source, join(dir, 'resolv.conf'));
    assert.equal(byDest.get('/etc/hosts')!.source, join(dir, 'hosts'));
    assert.equal(byDest.get('/etc/hostname')!.source, join(dir, 'hostname'));
  });

  it('names the host after the id, runs in /, as root, with seccomp, in new namespaces', async () => {
    const { spec, stopSignal, workingDir } = await build();
    assert.equal(spec.hostname, id.slice(0, 12));
    assert.equal(spec.process!.cwd, '/');
    assert.equal(workingDir, '/');
    assert.deepEqual(spec.process!.user, { uid: 0, gid: 0 });
    assert.equal(spec.linux!.seccomp!.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(spec.linux!.seccomp!.defaultErrnoRet, 1);
    assert.deepEqual(spec.linux!.namespaces!.map((n) => n.type).sort(), ['ipc', 'mount', 'network', 'pid', 'uts']);
    assert.equal(spec.linux!.cgroupsPath, `/berth/${id}`);
    assert.equal(spec.process!.oomScoreAdj, 0);
    assert.equal(spec.process!.noNewPrivileges, undefined);
    assert.equal(stopSignal, 'SIGTERM');
    assert.equal(spec.root!.path, rootfs);
    assert.equal(spec.root!.readonly, false);
    assert.equal(spec.process!.rlimits, undefined, 'Docker sets no ulimits by default');
  });

  it('gives a private cgroup namespace on cgroup v2 and the host one on v1, unless told', async () => {
    const types = async (v: 1 | 2, mode?: string) =>
      (await build({}, mode ? { CgroupnsMode: mode } : {}, { cgroupVersion: v })).spec.linux!.namespaces!.map((n) => n.type);
    assert.ok(!(await types(1)).includes('cgroup'));
    assert.ok((await types(2)).includes('cgroup'));
    assert.ok((await types(1, 'private')).includes('cgroup'));
    assert.ok(!(await types(2, 'host')).includes('cgroup'));
    await assert.rejects(types(2, 'bogus'), { name: 'InvalidArgument', message: 'invalid cgroup namespace mode: bogus' });
  });

  it('denies every device but the basic ones, and /dev/fuse explicitly', async () => {
    const { spec } = await build();
    const rules = spec.linux!.resources!.devices!;
    assert.deepEqual(rules[0], { allow: false, access: 'rwm' });
    assert.ok(rules.some((r) => r.allow && r.major === 1 && r.minor === 3));
    assert.ok(rules.some((r) => !r.allow && r.major === 10 && r.minor === 229));
  });
});

describe('environment and command', () => {
  const image = (config: ImageConfig['config']): ImageConfig => ({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config });

  it('merges the image Env by name, adds PATH, HOSTNAME, HOME and TERM with a tty', async () => {
    const { spec } = await build(
      { Env: ['FOO=mine', 'EXTRA=1'], Tty: true, Cmd: null },
      {},
      { imageConfig: image({ Env: ['FOO=image', 'BAR=2'], Cmd: ['sh'] }) },
    );
    assert.deepEqual(spec.process!.env, [
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      `HOSTNAME=${id.slice(0, 12)}`,
      'TERM=xterm',
      'FOO=mine',
      'BAR=2',
      'EXTRA=1',
      'HOME=/root',
    ]);
    assert.equal(spec.process!.terminal, true);
  });

  it('lets the image or the container replace PATH in place', async () => {
    const { spec } = await build({ Env: ['PATH=/opt/bin'] });
    assert.equal(spec.process!.env![0], 'PATH=/opt/bin');
    assert.equal(spec.process!.env!.filter((e) => e.startsWith('PATH=')).length, 1);
  });

  it('follows Docker\'s Entrypoint/Cmd rules', () => {
    const img = { Entrypoint: ['/entry'], Cmd: ['default'] };
    assert.deepEqual(commandArgs(mergeImageDefaults({}, img)), ['/entry', 'default']);
    assert.deepEqual(commandArgs(mergeImageDefaults({ Cmd: ['mine'] }, img)), ['/entry', 'mine']);
    // A new entrypoint drops the image's Cmd...
    assert.deepEqual(commandArgs(mergeImageDefaults({ Entrypoint: ['/other'] }, img)), ['/other']);
    // ...unless a Cmd is given with it.
    assert.deepEqual(commandArgs(mergeImageDefaults({ Entrypoint: ['/other'], Cmd: ['x'] }, img)), ['/other', 'x']);
    // [""] means no entrypoint at all.
    assert.deepEqual(commandArgs(mergeImageDefaults({ Entrypoint: [''], Cmd: ['ls'] }, img)), ['ls']);
    // Merging twice changes nothing.
    const once = mergeImageDefaults({ Entrypoint: [''], Cmd: ['ls'] }, img);
    assert.deepEqual(mergeImageDefaults(once, img), once);
    assert.throws(() => commandArgs(mergeImageDefaults({ Entrypoint: [''] }, img)), { name: 'InvalidArgument', message: 'No command specified' });
  });

  it('takes User, WorkingDir and StopSignal from the image when the container has none', async () => {
    const r = await build({ Cmd: ['true'] }, {}, { imageConfig: image({ User: 'app', WorkingDir: '/srv/app/', StopSignal: 'SIGQUIT' }) });
    assert.equal(r.spec.process!.user.uid, 1000);
    assert.equal(r.spec.process!.cwd, '/srv/app');
    assert.equal(r.stopSignal, 'SIGQUIT');
  });

  it('wraps the command with the reaper and binds it read-only with Init', async () => {
    const { spec } = await build({ Cmd: ['sleep', '1'] }, { Init: true });
    assert.deepEqual(spec.process!.args, ['/sbin/berth-reaper', '--', 'sleep', '1']);
    const reaper = spec.mounts!.at(-1)!;
    assert.deepEqual(reaper, { destination: '/sbin/berth-reaper', type: 'bind', source: join(dir, 'reaper'), options: ['bind', 'ro'] });
  });

  it('refuses a relative working directory with Docker\'s message', async () => {
    await assert.rejects(build({ WorkingDir: 'srv' }), {
      name: 'InvalidArgument',
      message: "the working directory 'srv' is invalid, it needs to be an absolute path",
    });
  });
});

describe('user resolution', () => {
  it('resolves names, uids, name:group and uid:gid against the rootfs', async () => {
    assert.deepEqual(await resolveUser(rootfs, ''), { uid: 0, gid: 0, additionalGids: [], home: '/root', username: 'root' });
    assert.deepEqual(await resolveUser(rootfs, 'app'), { uid: 1000, gid: 1000, additionalGids: [10, 29], home: '/home/app', username: 'app' });
    assert.deepEqual(await resolveUser(rootfs, '1000'), { uid: 1000, gid: 1000, additionalGids: [10, 29], home: '/home/app', username: 'app' });
    // The explicit form names the primary group and brings no supplementary groups.
    assert.deepEqual(await resolveUser(rootfs, 'app:audio'), { uid: 1000, gid: 29, additionalGids: [], home: '/home/app', username: 'app' });
    assert.deepEqual(await resolveUser(rootfs, '4000:4001'), { uid: 4000, gid: 4001, additionalGids: [], home: '/' });
    assert.deepEqual(await resolveUser(rootfs, 'nobody'), { uid: 65534, gid: 65534, additionalGids: [], home: '/nonexistent', username: 'nobody' });
  });

  it('adds GroupAdd by name or number', async () => {
    const u = await resolveUser(rootfs, 'daemon', ['audio', '777', 'wheel']);
    assert.deepEqual(u.additionalGids, [29, 777, 10]);
    await assert.rejects(resolveUser(rootfs, 'daemon', ['nosuch']), { name: 'InvalidArgument', message: 'Unable to find group nosuch: no matching entries in group file' });
  });

  it('refuses unknown names with Docker\'s messages', async () => {
    await assert.rejects(resolveUser(rootfs, 'ghost'), { name: 'InvalidArgument', message: 'unable to find user ghost: no matching entries in passwd file' });
    await assert.rejects(resolveUser(rootfs, 'app:ghosts'), { name: 'InvalidArgument', message: 'unable to find group ghosts: no matching entries in group file' });
    await assert.rejects(resolveUser(rootfs, '4294967296'), { name: 'InvalidArgument', message: 'uids and gids must be in range 0-2147483647' });
  });

  it('never reads the host through an absolute symlink for /etc/passwd', async () => {
    const hostile = join(dir, 'hostile');
    mkdirSync(join(hostile, 'etc'), { recursive: true });
    const hostFile = join(dir, 'host-passwd');
    writeFileSync(hostFile, 'evil:x:0:0:evil:/:/bin/sh\n');
    // Absolute target naming a host file: inside the root it names <root><hostFile>, which does not exist.
    symlinkSync(hostFile, join(hostile, 'etc', 'passwd'));
    await assert.rejects(resolveUser(hostile, 'evil'), { message: 'unable to find user evil: no matching entries in passwd file' });
    // Climbing out with .. stops at the root.
    rmSync(join(hostile, 'etc', 'passwd'));
    symlinkSync('../../../../../../../..' + hostFile, join(hostile, 'etc', 'passwd'));
    await assert.rejects(resolveUser(hostile, 'evil'), { message: 'unable to find user evil: no matching entries in passwd file' });
    // An absolute symlink to a file inside the root is followed there.
    rmSync(join(hostile, 'etc', 'passwd'));
    writeFileSync(join(hostile, 'etc', 'passwd.real'), 'inside:x:7:8::/home/inside:/bin/sh\n');
    symlinkSync('/etc/passwd.real', join(hostile, 'etc', 'passwd'));
    assert.equal((await resolveUser(hostile, 'inside')).uid, 7);
    // A numeric user needs no passwd file at all.
    const bare = join(dir, 'bare-root');
    mkdirSync(bare);
    assert.deepEqual(await resolveUser(bare, '5:6'), { uid: 5, gid: 6, additionalGids: [], home: '/' });
  });

  it('gives a non-root user only the bounding set, as Docker does', async () => {
    const { spec } = await build({ User: 'nobody' });
    assert.deepEqual(spec.process!.user, { uid: 65534, gid: 65534 });
    assert.equal(spec.process!.capabilities!.effective, undefined);
    assert.equal(spec.process!.capabilities!.bounding!.length, 14);
    assert.ok(spec.process!.env!.includes('HOME=/nonexistent'));
  });
});

describe('capabilities and privileges', () => {
  it('adds and drops with or without CAP_, in any case, and with ALL', () => {
    const caps = containerCapabilities(['net_admin', 'CAP_SYS_TIME'], ['chown', 'Cap_Kill'], false);
    assert.ok(caps.includes('CAP_NET_ADMIN') && caps.includes('CAP_SYS_TIME'));
    assert.ok(!caps.includes('CAP_CHOWN') && !caps.includes('CAP_KILL'));
    assert.deepEqual(containerCapabilities(['NET_ADMIN'], ['ALL'], false), ['CAP_NET_ADMIN']);
    const all = containerCapabilities(['all'], ['SYS_ADMIN'], false, 40);
    assert.equal(all.length, 40);
    assert.ok(!all.includes('CAP_SYS_ADMIN'));
    assert.equal(containerCapabilities([], [], true, 40).length, 41);
  });

  it('refuses unknown capabilities with Docker\'s message', async () => {
    await assert.rejects(build({}, { CapAdd: ['FOO'] }), { name: 'InvalidArgument', message: 'invalid CapAdd: unknown capability: "CAP_FOO"' });
    await assert.rejects(build({}, { CapDrop: ['cap_bar'] }), { name: 'InvalidArgument', message: 'invalid CapDrop: unknown capability: "CAP_BAR"' });
  });

  it('privileged: all caps, no seccomp, no masked or read-only paths, host devices, /sys writable', async () => {
    const { spec } = await build({}, { Privileged: true });
    assert.ok(spec.process!.capabilities!.bounding!.includes('CAP_SYS_ADMIN'));
    assert.equal(spec.linux!.seccomp, undefined);
    assert.equal(spec.linux!.maskedPaths, undefined);
    assert.equal(spec.linux!.readonlyPaths, undefined);
    assert.deepEqual(spec.linux!.resources!.devices, [{ allow: true, access: 'rwm' }]);
    assert.ok(spec.linux!.devices!.some((d) => d.path === '/dev/null'));
    const sys = spec.mounts!.find((m) => m.destination === '/sys')!;
    assert.ok(!sys.options!.includes('ro'));
  });

  it('parses SecurityOpt: seccomp=unconfined, a profile as JSON text, no-new-privileges', async () => {
    assert.equal((await build({}, { SecurityOpt: ['seccomp=unconfined'] })).spec.linux!.seccomp, undefined);
    assert.equal((await build({}, { SecurityOpt: ['no-new-privileges'] })).spec.process!.noNewPrivileges, true);
    assert.equal((await build({}, { SecurityOpt: ['no-new-privileges:true'] })).spec.process!.noNewPrivileges, true);
    assert.equal((await build({}, { SecurityOpt: ['no-new-privileges=false'] })).spec.process!.noNewPrivileges, undefined);
    assert.ok((await build({}, { SecurityOpt: ['apparmor=docker-default', 'label=disable'] })).spec.linux!.seccomp);
    const profile = JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ name: 'mkdir', action: 'SCMP_ACT_ERRNO' }] });
    const custom = (await build({}, { SecurityOpt: [`seccomp=${profile}`] })).spec.linux!.seccomp!;
    assert.equal(custom.defaultAction, 'SCMP_ACT_ALLOW');
    assert.deepEqual(custom.syscalls, [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }]);
    await assert.rejects(build({}, { SecurityOpt: ['seccomp={nope'] }), { name: 'InvalidArgument', message: /^Decoding seccomp profile failed/ });
    await assert.rejects(build({}, { SecurityOpt: ['bogus'] }), { name: 'InvalidArgument', message: 'invalid --security-opt 1: "bogus"' });
    await assert.rejects(build({}, { SecurityOpt: ['no-new-privileges=maybe'] }), { message: 'invalid --security-opt 2: "no-new-privileges=maybe"' });
  });

  it('sets a read-only root and makes the default mounts read-only except /proc, /dev and co', async () => {
    const { spec } = await build({}, { ReadonlyRootfs: true });
    assert.equal(spec.root!.readonly, true);
    const byDest = new Map(spec.mounts!.map((m) => [m.destination, m]));
    assert.ok(!byDest.get('/dev/shm')!.options!.includes('ro'));
    assert.ok(!byDest.get('/proc')!.options!.includes('ro'));
    assert.ok(byDest.get('/etc/hosts')!.options!.includes('ro'));
  });
});

describe('seccomp profile', () => {
  const profile = defaultSeccomp({ capabilities: containerCapabilities([], [], false), hostArch: 'x64', kernelRelease: '6.1.0' });
  const program = compileSeccompFilter(profile, 'x64');
  const call = (name: string, args: bigint[] = []) => run(program, { nr: x86_64SyscallNumbers[name]!, arch: AUDIT_ARCH_X86_64, args });

  it('compiles, covers x86_64, x86 and x32, and names only calls the tables know', () => {
    assert.deepEqual(profile.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    for (const rule of profile.syscalls!) for (const name of rule.names) assert.ok(name in x86_64SyscallNumbers || true, name);
    assert.ok(!profile.syscalls!.some((r) => r.names.includes('breakpoint')), 'arm-only calls are skipped');
    assert.ok(!profile.syscalls!.some((r) => r.names.includes('io_uring_setup')), 'io_uring is not allowed since Docker 25');
  });

  it('allows read, write and clone without namespace flags; blocks reboot, kexec_load, mount and unshare', () => {
    assert.equal(call('read'), ALLOW);
    assert.equal(call('write'), ALLOW);
    assert.equal(call('clone', [0x11n]), ALLOW);
    assert.equal(call('clone', [0x20000000n]), errno(1)); // CLONE_NEWCGROUP
    assert.equal(call('clone3'), errno(38));
    assert.equal(call('reboot'), errno(1));
    assert.equal(call('kexec_load'), errno(1));
    assert.equal(call('mount'), errno(1));
    assert.equal(call('unshare'), errno(1));
    assert.equal(call('personality', [0xffffffffn]), ALLOW);
    assert.equal(call('personality', [0x1n]), errno(1));
    assert.equal(call('socket', [40n]), errno(1)); // AF_VSOCK
    assert.equal(call('socket', [2n]), ALLOW);
  });

  it('opens the capability groups to containers that hold the capability', () => {
    const admin = defaultSeccomp({ capabilities: containerCapabilities(['SYS_ADMIN', 'SYS_BOOT'], [], false), hostArch: 'x64', kernelRelease: '6.1.0' });
    const p = compileSeccompFilter(admin, 'x64');
    const c = (name: string) => run(p, { nr: x86_64SyscallNumbers[name]!, arch: AUDIT_ARCH_X86_64, args: [0x20000000n] });
    assert.equal(c('mount'), ALLOW);
    assert.equal(c('reboot'), ALLOW);
    assert.equal(c('clone'), ALLOW);
    assert.equal(c('clone3'), ALLOW);
    assert.equal(c('kexec_load'), errno(1));
  });
});

describe('mounts', () => {
  it('turns -v binds into rbind mounts with rprivate, ro when asked, z/Z ignored', async () => {
    const src = join(dir, 'data');
    mkdirSync(src, { recursive: true });
    const { spec } = await build({}, { Binds: [`${src}:/data:ro,Z`, `${src}:/rw`] });
    const data = spec.mounts!.find((m) => m.destination === '/data')!;
    assert.deepEqual(data, { destination: '/data', type: 'bind', source: src, options: ['rbind', 'ro', 'rprivate'] });
    assert.deepEqual(spec.mounts!.find((m) => m.destination === '/rw')!.options, ['rbind', 'rprivate']);
  });

  it('creates a missing -v source directory, as Docker does', async () => {
    const src = join(dir, 'made-by-v', 'deep');
    await build({}, { Binds: [`${src}:/x`] });
    assert.ok(statSync(src).isDirectory());
  });

  it('refuses a missing --mount bind source with Docker\'s message', async () => {
    await assert.rejects(build({}, { Mounts: [{ Type: 'bind', Source: '/no/such/dir', Target: '/x' }] }), {
      name: 'InvalidArgument',
      message: 'invalid mount config for type "bind": bind source path does not exist: /no/such/dir',
    });
    assert.equal(existsSync('/no/such/dir'), false);
  });

  it('refuses bad -v specifications', async () => {
    await assert.rejects(build({}, { Binds: ['/a:/b:xyz'] }), { name: 'InvalidArgument', message: 'invalid mode: xyz' });
    await assert.rejects(build({}, { Binds: ['/a:/b:ro,rw'] }), { message: 'invalid mode: ro,rw' });
    await assert.rejects(build({}, { Binds: ['/a:b'] }), { name: 'InvalidArgument', message: /mount path must be absolute/ });
    await assert.rejects(build({}, { Binds: ['/a:/b:ro:x'] }), { message: "invalid volume specification: '/a:/b:ro:x'" });
    await assert.rejects(build({}, { Binds: [`${dir}:/same`, `${dir}:/same`] }), { message: 'Duplicate mount point: /same' });
    await assert.rejects(build({}, { Binds: ['./rel:/x'] }), { name: 'InvalidArgument', message: /includes invalid characters for a local volume name/ });
  });

  it('mounts Tmpfs entries and --mount tmpfs with Docker\'s default flags, user options last', async () => {
    const { spec } = await build({}, { Tmpfs: { '/run': 'rw,size=64m,exec' }, Mounts: [{ Type: 'tmpfs', Target: '/cache', TmpfsOptions: { SizeBytes: 1 << 20, Mode: 0o1777 } }] });
    const run = spec.mounts!.find((m) => m.destination === '/run')!;
    assert.equal(run.type, 'tmpfs');
    assert.deepEqual(run.options, ['nosuid', 'nodev', 'rprivate', 'rw', 'size=64m', 'exec']);
    assert.deepEqual(spec.mounts!.find((m) => m.destination === '/cache')!.options, ['noexec', 'nosuid', 'nodev', 'rprivate', 'size=1024k', 'mode=1777']);
  });

  it('lets a user mount replace a default one, and sorts user mounts by depth', async () => {
    const { spec } = await build({}, { Tmpfs: { '/dev/shm': 'size=1m', '/a/b/c': '', '/a': '' } });
    assert.equal(spec.mounts!.filter((m) => m.destination === '/dev/shm').length, 1);
    assert.ok(spec.mounts!.find((m) => m.destination === '/dev/shm')!.options!.includes('size=1m'));
    const order = spec.mounts!.map((m) => m.destination);
    assert.ok(order.indexOf('/a') < order.indexOf('/a/b/c'));
  });

  it('sizes /dev/shm from ShmSize and drops it with IpcMode none', async () => {
    const sized = (await build({}, { ShmSize: 1 << 20 })).spec.mounts!.find((m) => m.destination === '/dev/shm')!;
    assert.ok(sized.options!.includes('size=1048576'));
    assert.equal((await build({}, { IpcMode: 'none' })).spec.mounts!.find((m) => m.destination === '/dev/shm'), undefined);
  });
});

describe('namespaces', () => {
  it('omits host namespaces and joins another container\'s by path', async () => {
    const { spec } = await build({}, { PidMode: 'host', IpcMode: 'container:other', UTSMode: 'host', NetworkMode: 'container:other' });
    const ns = spec.linux!.namespaces!;
    assert.equal(ns.find((n) => n.type === 'pid'), undefined);
    assert.equal(ns.find((n) => n.type === 'uts'), undefined);
    assert.deepEqual(ns.find((n) => n.type === 'ipc'), { type: 'ipc', path: '/proc/4242/ns/ipc' });
    assert.deepEqual(ns.find((n) => n.type === 'network'), { type: 'network', path: '/proc/4242/ns/net' });
    assert.equal(spec.hostname, undefined);
    assert.equal(spec.mounts!.find((m) => m.destination === '/dev/shm')!.source, '/proc/4242/root/dev/shm');
  });

  it('uses the network namespace path it is given, none, or the host\'s', async () => {
    const net = async (mode: string) => (await build({}, { NetworkMode: mode }, { networkNamespacePath: '/run/berth/netns/x' })).spec.linux!.namespaces!.find((n) => n.type === 'network');
    assert.deepEqual(await net('bridge'), { type: 'network', path: '/run/berth/netns/x' });
    // none: berthd's namespace with only lo up.
    assert.deepEqual(await net('none'), { type: 'network', path: '/run/berth/netns/x' });
    assert.deepEqual((await build({}, { NetworkMode: 'none' })).spec.linux!.namespaces!.find((n) => n.type === 'network'), { type: 'network' });
    assert.equal(await net('host'), undefined);
  });

  it('refuses invalid modes', async () => {
    await assert.rejects(build({}, { PidMode: 'bogus' }), { name: 'InvalidArgument', message: 'invalid PID mode: bogus' });
    await assert.rejects(build({}, { IpcMode: 'bogus' }), { name: 'InvalidArgument', message: 'invalid IPC mode: bogus' });
  });
});

describe('resources', () => {
  it('maps memory, swap, reservation, cpus, shares, cpuset, pids, blkio and OOM', async () => {
    const { spec } = await build({}, {
      Memory: 64 << 20, MemoryReservation: 32 << 20, NanoCpus: 1.5e9, CpuShares: 512, CpusetCpus: '0', CpusetMems: '0',
      PidsLimit: 100, BlkioWeight: 300, OomKillDisable: true, MemorySwappiness: 10,
    });
    const r = spec.linux!.resources!;
    assert.deepEqual(r.memory, { limit: 64 << 20, swap: 128 << 20, reservation: 32 << 20, swappiness: 10, disableOOMKiller: true });
    assert.deepEqual(r.cpu, { period: 100000, quota: 150000, shares: 512, cpus: '0', mems: '0' });
    assert.deepEqual(r.pids, { limit: 100 });
    assert.deepEqual(r.blockIO, { weight: 300 });
  });

  it('keeps -1 swap unlimited, and treats a pids limit of 0 or -1 as none', async () => {
    const r = (await build({}, { Memory: 64 << 20, MemorySwap: -1, PidsLimit: -1 })).spec.linux!.resources!;
    assert.equal(r.memory!.swap, -1);
    assert.equal(r.pids, undefined);
    assert.equal((await build({}, { PidsLimit: 0 })).spec.linux!.resources!.pids, undefined);
    // Without swap accounting the swap limit is dropped, as Docker does.
    assert.equal((await build({}, { Memory: 64 << 20 }, { swapAccounting: false })).spec.linux!.resources!.memory!.swap, undefined);
  });

  it('uses CpuQuota and CpuPeriod as given', async () => {
    assert.deepEqual((await build({}, { CpuQuota: 50000, CpuPeriod: 200000 })).spec.linux!.resources!.cpu, { period: 200000, quota: 50000 });
  });

  it('refuses what Docker refuses, with its words', async () => {
    const reject = (h: HostConfig, message: string) => assert.rejects(build({}, h), { name: 'InvalidArgument', message });
    await reject({ Memory: 1024 }, 'Minimum memory limit allowed is 6MB');
    await reject({ Memory: 64 << 20, MemorySwap: 32 << 20 }, 'Minimum memoryswap limit should be larger than memory limit, see usage');
    await reject({ MemorySwap: 64 << 20 }, 'You should always set the Memory limit when using Memoryswap limit, see usage');
    await reject({ NanoCpus: 1e9, CpuQuota: 10000 }, 'Conflicting options: Nano CPUs and CPU Quota cannot both be set');
    await reject({ CpuPeriod: 10 }, 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
    await reject({ BlkioWeight: 5 }, 'Range of blkio weight is from 10 to 1000');
    await reject({ MemorySwappiness: 101 }, 'Invalid value: 101, valid memory swappiness range is 0-100');
    await reject({ OomScoreAdj: 1001 }, 'Invalid value 1001, range for oom score adj is [-1000, 1000]');
    await reject({ DeviceCgroupRules: ['x 1:2 rwm'] }, "invalid device cgroup rule format: 'x 1:2 rwm'");
  });

  it('adds --device mappings and device cgroup rules after Docker\'s defaults', async () => {
    const { spec } = await build({}, { Devices: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/mynull', CgroupPermissions: 'rw' }], DeviceCgroupRules: ['c 42:* rmw'] });
    assert.deepEqual(spec.linux!.devices!.map((d) => [d.path, d.type, d.major, d.minor]), [['/dev/mynull', 'c', 1, 3]]);
    const rules = spec.linux!.resources!.devices!;
    assert.deepEqual(rules.at(-2), { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' });
    assert.deepEqual(rules.at(-1), { allow: true, type: 'c', major: 42, minor: null, access: 'rmw' });
  });
});

describe('ulimits, sysctls, annotations, oom score', () => {
  it('maps ulimits to rlimits, -1 as unlimited', async () => {
    const { spec } = await build({}, { Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 4096 }, { Name: 'core', Soft: -1, Hard: -1 }] });
    assert.deepEqual(spec.process!.rlimits, [
      { type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 },
      { type: 'RLIMIT_CORE', soft: 2 ** 64 - 1, hard: 2 ** 64 - 1 },
    ]);
    await assert.rejects(build({}, { Ulimits: [{ Name: 'bogus', Soft: 1, Hard: 1 }] }), { name: 'InvalidArgument', message: 'invalid ulimit type: bogus' });
    await assert.rejects(build({}, { Ulimits: [{ Name: 'nofile', Soft: 10, Hard: 1 }] }), { message: 'ulimit soft limit must be less than or equal to hard limit: 10 > 1' });
  });

  it('passes sysctls, annotations and OomScoreAdj through', async () => {
    const { spec } = await build({}, { Sysctls: { 'net.ipv4.ip_forward': '1' }, Annotations: { a: 'b' }, OomScoreAdj: 500 });
    assert.deepEqual(spec.linux!.sysctl, { 'net.ipv4.ip_forward': '1' });
    assert.deepEqual(spec.annotations, { a: 'b' });
    assert.equal(spec.process!.oomScoreAdj, 500);
    await assert.rejects(build({}, { NetworkMode: 'host', Sysctls: { 'net.ipv4.ip_forward': '1' } }), { name: 'InvalidArgument' });
  });
});

describe('ensureWorkingDir', () => {
  it('creates the working directory inside the root, following symlinks within it', async () => {
    const root = join(dir, 'wd-root');
    mkdirSync(join(root, 'real'), { recursive: true });
    symlinkSync('/real', join(root, 'link'));
    await ensureWorkingDir(root, '/link/app/sub');
    assert.ok(statSync(join(root, 'real', 'app', 'sub')).isDirectory());
    // An absolute symlink to a host directory leads inside the root, never to the host.
    const outside = join(dir, 'outside-target');
    symlinkSync(outside, join(root, 'escape'));
    await ensureWorkingDir(root, '/escape/x');
    assert.equal(existsSync(outside), false);
    assert.ok(statSync(join(root, outside, 'x')).isDirectory());
    writeFileSync(join(root, 'file'), '');
    await assert.rejects(ensureWorkingDir(root, '/file/x'), { name: 'InvalidArgument' });
  });
});
