import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateProcess, validateSpec } from '../../../src/runtime/spec/validate.js';

type Json = Record<string, unknown>;

/** The smallest config.json berth accepts. */
function minimalSpec(): Json {
  return {
    ociVersion: '1.2.0',
    root: { path: 'rootfs' },
    process: { user: { uid: 0, gid: 0 }, args: ['sh'], cwd: '/' },
  };
}

/** A minimal spec with `change` applied to it (a shallow merge, plus `linux` and `process` one level down). */
function specWith(change: Json): Json {
  const spec = minimalSpec();
  for (const [key, value] of Object.entries(change)) {
    const before = spec[key];
    spec[key] = key === 'process' && typeof before === 'object' && typeof value === 'object' ? { ...(before as Json), ...(value as Json) } : value;
  }
  return spec;
}

/** Asserts InvalidArgument with exactly `message` (or a message matching it). */
function rejects(spec: unknown, message: string | RegExp, source?: string): void {
  assert.throws(() => validateSpec(spec, source), (err: Error) => {
    assert.equal(err.name, 'InvalidArgument');
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

describe('validateSpec', () => {
  it('accepts a minimal spec and returns the same object', () => {
    const spec = minimalSpec();
    assert.equal(validateSpec(spec), spec);
  });

  it('ignores unknown properties, as the spec requires', () => {
    assert.doesNotThrow(() => validateSpec({ ...minimalSpec(), vendorThing: { x: 1 }, linux: { futureField: true } }));
  });

  it('refuses anything but a JSON object', () => {
    rejects([], 'config.json: the configuration must be a JSON object');
    rejects(null, 'config.json: the configuration must be a JSON object');
    rejects('x', '/b/config.json: the configuration must be a JSON object', '/b/config.json');
  });

  it('names the source in each message', () => {
    rejects(specWith({ ociVersion: undefined }), '/bundle/config.json: ociVersion is required', '/bundle/config.json');
  });

  it('requires a 1.x ociVersion', () => {
    rejects(specWith({ ociVersion: undefined }), 'config.json: ociVersion is required');
    rejects(specWith({ ociVersion: '2.0.0' }), 'config.json: ociVersion "2.0.0" is not a 1.x runtime-spec version');
    rejects(specWith({ ociVersion: 1 }), 'config.json: ociVersion 1 is not a 1.x runtime-spec version');
    assert.doesNotThrow(() => validateSpec(specWith({ ociVersion: '1.0.2-dev' })));
  });

  it('requires root with a non-empty path', () => {
    rejects(specWith({ root: undefined }), 'config.json: root is required: it names the container\'s root filesystem');
    rejects(specWith({ root: 'rootfs' }), 'config.json: root must be an object');
    rejects(specWith({ root: {} }), 'config.json: root.path is required');
    rejects(specWith({ root: { path: '' } }), 'config.json: root.path must be a non-empty string');
    rejects(specWith({ root: { path: 'rootfs', readonly: 'yes' } }), 'config.json: root.readonly must be true or false');
  });

  it('requires process, process.user and process.cwd', () => {
    rejects(specWith({ process: undefined }), 'config.json: process is required');
    const noUser = minimalSpec();
    delete (noUser.process as Json).user;
    rejects(noUser, 'config.json: process.user is required');
    const noCwd = minimalSpec();
    delete (noCwd.process as Json).cwd;
    rejects(noCwd, 'config.json: process.cwd is required');
  });

  it('checks uids, gids and umask as unsigned 32-bit integers', () => {
    rejects(specWith({ process: { user: { uid: -1, gid: 0 } } }),
      'config.json: process.user.uid must be a non-negative integer (0 to 4294967295), got -1');
    rejects(specWith({ process: { user: { uid: 0, gid: 2 ** 32 } } }),
      'config.json: process.user.gid must be a non-negative integer (0 to 4294967295), got 4294967296');
    rejects(specWith({ process: { user: { uid: 0, gid: 0, additionalGids: [1, 'x'] } } }),
      'config.json: process.user.additionalGids[1] must be a non-negative integer (0 to 4294967295), got "x"');
    rejects(specWith({ process: { user: { uid: 0, gid: 0, umask: 0o1000 } } }),
      'config.json: process.user.umask must be a file mode mask (0 to 511), got 512');
    assert.doesNotThrow(() => validateSpec(specWith({ process: { user: { uid: 2 ** 32 - 1, gid: 0, umask: 0o777 } } })));
  });

  it('requires a non-empty args array of strings', () => {
    for (const args of [undefined, [], ['sh', 1], 'sh']) {
      rejects(specWith({ process: { args } }), 'config.json: process.args must be a non-empty array of strings');
    }
  });

  it('requires KEY=value environment entries', () => {
    rejects(specWith({ process: { env: ['A=1', 'NOEQUALS'] } }),
      'config.json: process.env[1] "NOEQUALS" must have the form KEY=value');
    rejects(specWith({ process: { env: ['=value'] } }), 'config.json: process.env[0] "=value" must have the form KEY=value');
    rejects(specWith({ process: { env: 'A=1' } }), 'config.json: process.env must be an array of strings');
    assert.doesNotThrow(() => validateSpec(specWith({ process: { env: ['EMPTY=', 'A=b=c'] } })));
  });

  it('requires an absolute cwd', () => {
    rejects(specWith({ process: { cwd: 'tmp' } }), 'config.json: process.cwd must be an absolute path, got "tmp"');
  });

  it('names an unknown capability with its set and index, with a hint for a missing prefix', () => {
    rejects(specWith({ process: { capabilities: { bounding: ['CAP_KILL'], ambient: ['CAP_KILL', 'NET_ADMIN'] } } }),
      'config.json: process.capabilities.ambient[1]: unknown capability "NET_ADMIN" (did you mean "CAP_NET_ADMIN"?)');
    rejects(specWith({ process: { capabilities: { effective: 'CAP_KILL' } } }),
      'config.json: process.capabilities.effective must be an array of capability names');
  });

  it('checks rlimits: known type, no repeats, soft at most hard', () => {
    rejects(specWith({ process: { rlimits: [{ type: 'RLIMIT_BOGUS', soft: 1, hard: 1 }] } }),
      /^config\.json: process\.rlimits\[0\]\.type: unknown rlimit type "RLIMIT_BOGUS" \(known: RLIMIT_CPU, /);
    rejects(specWith({
      process: { rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }, { type: 'RLIMIT_NOFILE', soft: 2, hard: 2 }] },
    }), 'config.json: process.rlimits[1].type "RLIMIT_NOFILE" repeats process.rlimits[0]');
    rejects(specWith({ process: { rlimits: [{ type: 'RLIMIT_NOFILE', soft: 2048, hard: 1024 }] } }),
      'config.json: process.rlimits[0] has a soft limit (2048) above its hard limit (1024)');
    rejects(specWith({ process: { rlimits: [{ type: 'RLIMIT_NOFILE', soft: -1, hard: 1 }] } }),
      'config.json: process.rlimits[0].soft must be a non-negative integer (at least 0), got -1');
  });

  it('accepts the unlimited rlimit value 2^64-1, which JSON.parse turns into 2^64', () => {
    const spec = JSON.parse('{"ociVersion":"1.0.0","root":{"path":"r"},"process":{"user":{"uid":0,"gid":0},"args":["x"],"cwd":"/",'
      + '"rlimits":[{"type":"RLIMIT_CORE","soft":18446744073709551615,"hard":18446744073709551615}]}}');
    assert.doesNotThrow(() => validateSpec(spec));
  });

  it('checks oomScoreAdj, ioPriority and consoleSize ranges', () => {
    rejects(specWith({ process: { oomScoreAdj: 1001 } }),
      'config.json: process.oomScoreAdj must be an integer (-1000 to 1000), got 1001');
    rejects(specWith({ process: { ioPriority: { class: 'IOPRIO_CLASS_X', priority: 0 } } }),
      'config.json: process.ioPriority.class "IOPRIO_CLASS_X" is not an I/O priority class (IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE)');
    rejects(specWith({ process: { ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 8 } } }),
      'config.json: process.ioPriority.priority must be an integer (0 to 7), got 8');
    rejects(specWith({ process: { consoleSize: { height: 24, width: 70000 } } }),
      'config.json: process.consoleSize.width must be an integer (0 to 65535), got 70000');
    rejects(specWith({ process: { terminal: 'yes' } }), 'config.json: process.terminal must be true or false');
  });

  it('requires absolute mount destinations and string options', () => {
    rejects(specWith({ mounts: [{ destination: '/proc', type: 'proc' }, { type: 'tmpfs' }] }),
      'config.json: mounts[1].destination is required');
    rejects(specWith({ mounts: [{ destination: 'tmp' }] }), 'config.json: mounts[0].destination must be an absolute path, got "tmp"');
    rejects(specWith({ mounts: [{ destination: '/tmp', options: ['ro', 5] }] }), 'config.json: mounts[0].options[1] must be a string');
    rejects(specWith({ mounts: {} }), 'config.json: mounts must be an array of mounts');
  });

  it('checks hooks: absolute path, env form, positive timeout', () => {
    rejects(specWith({ hooks: { poststart: [{ path: 'hook' }] } }),
      'config.json: hooks.poststart[0].path must be an absolute path, got "hook"');
    rejects(specWith({ hooks: { prestart: [{ path: '/h', env: ['X'] }] } }),
      'config.json: hooks.prestart[0].env[0] "X" must have the form KEY=value');
    rejects(specWith({ hooks: { createRuntime: [{ path: '/h' }, { path: '/h', timeout: 0 }] } }),
      'config.json: hooks.createRuntime[1].timeout must be a whole number of seconds (at least 1), got 0');
    rejects(specWith({ hooks: { poststop: [{}] } }), 'config.json: hooks.poststop[0].path is required');
  });

  it('requires string annotation values and non-empty keys', () => {
    rejects(specWith({ annotations: { a: 1 } }), 'config.json: annotations["a"] must be a string');
    rejects(specWith({ annotations: { '': 'x' } }), 'config.json: annotations must not have an empty key');
  });

  it('checks namespace types and refuses repeats', () => {
    rejects(specWith({ linux: { namespaces: [{ type: 'pid' }, { type: 'net' }] } }),
      'config.json: linux.namespaces[1].type "net" is not a namespace type (pid, network, mount, ipc, uts, user, cgroup, time)');
    rejects(specWith({ linux: { namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'pid' }] } }),
      'config.json: linux.namespaces[2].type "pid" repeats linux.namespaces[0]');
    rejects(specWith({ linux: { namespaces: [{ type: 'network', path: 'netns' }] } }),
      'config.json: linux.namespaces[0].path must be an absolute path, got "netns"');
  });

  it('requires id mappings for a new user namespace, and a user namespace for id mappings', () => {
    const mapping = [{ containerID: 0, hostID: 1000, size: 1 }];
    rejects(specWith({ linux: { namespaces: [{ type: 'user' }] } }),
      'config.json: linux.uidMappings are required when a new user namespace is created');
    rejects(specWith({ linux: { namespaces: [{ type: 'user' }], uidMappings: mapping } }),
      'config.json: linux.gidMappings are required when a new user namespace is created');
    rejects(specWith({ linux: { gidMappings: mapping } }),
      'config.json: linux.gidMappings are set, but linux.namespaces has no user namespace');
    // Joining an existing user namespace needs no mappings.
    assert.doesNotThrow(() => validateSpec(specWith({ linux: { namespaces: [{ type: 'user', path: '/proc/1/ns/user' }] } })));
    assert.doesNotThrow(() => validateSpec(specWith({
      linux: { namespaces: [{ type: 'user' }], uidMappings: mapping, gidMappings: mapping },
    })));
  });

  it('refuses overlapping and out-of-range id mappings', () => {
    const withUser = (uidMappings: unknown) => specWith({
      linux: { namespaces: [{ type: 'user' }], uidMappings, gidMappings: [{ containerID: 0, hostID: 0, size: 1 }] },
    });
    rejects(withUser([{ containerID: 0, hostID: 1000, size: 10 }, { containerID: 5, hostID: 5000, size: 10 }]),
      'config.json: linux.uidMappings[1] overlaps linux.uidMappings[0] (containerIDs 5-14 and 0-9)');
    rejects(withUser([{ containerID: 0, hostID: 1000, size: 10 }, { containerID: 100, hostID: 1009, size: 1 }]),
      'config.json: linux.uidMappings[1] overlaps linux.uidMappings[0] (hostIDs 1009-1009 and 1000-1009)');
    // Adjacent ranges do not overlap.
    assert.doesNotThrow(() => validateSpec(withUser([
      { containerID: 0, hostID: 1000, size: 10 }, { containerID: 10, hostID: 1010, size: 10 },
    ])));
    rejects(withUser([{ containerID: 0, hostID: 2 ** 32 - 1, size: 2 }]),
      'config.json: linux.uidMappings[0] maps hostIDs beyond 4294967295');
    rejects(withUser([{ containerID: 0, hostID: 0, size: 0 }]),
      'config.json: linux.uidMappings[0].size must be a positive integer (1 to 4294967295), got 0');
    const tooMany = Array.from({ length: 341 }, (_, i) => ({ containerID: i, hostID: i, size: 1 }));
    rejects(withUser(tooMany), 'config.json: linux.uidMappings has 341 entries; the kernel accepts at most 340');
  });

  it('checks devices: type, absolute path, numbers except for fifos', () => {
    rejects(specWith({ linux: { devices: [{ type: 'x', path: '/dev/x' }] } }),
      'config.json: linux.devices[0].type "x" is not a device type (c, b, u, p)');
    rejects(specWith({ linux: { devices: [{ type: 'c', path: '/dev/x', major: 1 }] } }),
      'config.json: linux.devices[0].minor must be a non-negative integer (0 to 4294967295), got undefined');
    rejects(specWith({ linux: { devices: [{ type: 'p', path: 'fifo' }] } }),
      'config.json: linux.devices[0].path must be an absolute path, got "fifo"');
    rejects(specWith({ linux: { devices: [{ type: 'c', path: '/dev/x', major: 1, minor: 1, fileMode: 0o10000 }] } }),
      'config.json: linux.devices[0].fileMode must be a file mode (0 to 4095), got 4096');
    assert.doesNotThrow(() => validateSpec(specWith({ linux: { devices: [{ type: 'p', path: '/dev/fifo' }] } })));
  });

  it('checks resources field by field', () => {
    const withResources = (resources: unknown) => specWith({ linux: { resources } });
    rejects(withResources({ devices: [{ allow: 'yes' }] }), 'config.json: linux.resources.devices[0].allow must be true or false');
    rejects(withResources({ devices: [{ allow: true, access: 'rwx' }] }),
      'config.json: linux.resources.devices[0].access "rwx" must be made of the letters r, w and m');
    rejects(withResources({ devices: [{ allow: true, major: -2 }] }),
      'config.json: linux.resources.devices[0].major must be an integer (-1 to 4294967295), got -2');
    rejects(withResources({ memory: { limit: 1.5 } }),
      'config.json: linux.resources.memory.limit must be an integer (at least -9007199254740991), got 1.5');
    rejects(withResources({ memory: { swappiness: 101 } }),
      'config.json: linux.resources.memory.swappiness must be an integer (0 to 100), got 101');
    rejects(withResources({ cpu: { cpus: 3 } }), 'config.json: linux.resources.cpu.cpus must be a string');
    rejects(withResources({ pids: {} }),
      'config.json: linux.resources.pids.limit must be an integer (at least -9007199254740991), got undefined');
    rejects(withResources({ blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0 }] } }),
      'config.json: linux.resources.blockIO.throttleReadBpsDevice[0].rate must be an integer (at least 0), got undefined');
    rejects(withResources({ hugepageLimits: [{ pageSize: 2, limit: 1 }] }),
      'config.json: linux.resources.hugepageLimits[0].pageSize must be a string');
    rejects(withResources({ unified: { 'memory.max': 5 } }), 'config.json: linux.resources.unified["memory.max"] must be a string');
    // "any" device numbers may be -1 or null.
    assert.doesNotThrow(() => validateSpec(withResources({ devices: [{ allow: false, major: null, minor: -1, access: 'rwm' }] })));
  });

  it('checks rootfsPropagation, masked and read-only paths', () => {
    rejects(specWith({ linux: { rootfsPropagation: 'rshare' } }),
      'config.json: linux.rootfsPropagation "rshare" is not a mount propagation (shared, slave, private, unbindable, rshared, rslave, rprivate, runbindable)');
    rejects(specWith({ linux: { maskedPaths: ['/proc/kcore', 'proc/keys'] } }),
      'config.json: linux.maskedPaths[1] must be an absolute path, got "proc/keys"');
    rejects(specWith({ linux: { readonlyPaths: '/proc/sys' } }), 'config.json: linux.readonlyPaths must be an array of absolute paths');
  });

  it('checks seccomp: default action, syscall names, argument conditions', () => {
    const withSeccomp = (seccomp: unknown) => specWith({ linux: { seccomp } });
    rejects(withSeccomp({}), 'config.json: linux.seccomp.defaultAction is required');
    rejects(withSeccomp({ defaultAction: 'ALLOW' }), /^config\.json: linux\.seccomp\.defaultAction "ALLOW" is not a seccomp action \(SCMP_ACT_KILL, /);
    rejects(withSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: [], action: 'SCMP_ACT_ERRNO' }] }),
      'config.json: linux.seccomp.syscalls[0].names must name at least one syscall');
    rejects(withSeccomp({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ index: 6, value: 0, op: 'SCMP_CMP_EQ' }] }],
    }), 'config.json: linux.seccomp.syscalls[0].args[0].index must be an integer (0 to 5), got 6');
    rejects(withSeccomp({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 0, op: 'EQ' }] }],
    }), /^config\.json: linux\.seccomp\.syscalls\[0\]\.args\[0\]\.op "EQ" is not a seccomp operator /);
  });

  it('refuses hostname and domainname without a uts namespace, but allows them empty', () => {
    rejects(specWith({ hostname: 'box' }),
      'config.json: hostname cannot be set without a uts namespace in linux.namespaces (it would rename the host)');
    rejects(specWith({ domainname: 'example.org' }),
      'config.json: domainname cannot be set without a uts namespace in linux.namespaces (it would rename the host)');
    assert.doesNotThrow(() => validateSpec(specWith({ hostname: '', domainname: '' })));
    assert.doesNotThrow(() => validateSpec(specWith({ hostname: 'box', linux: { namespaces: [{ type: 'uts' }] } })));
    rejects(specWith({ hostname: 5, linux: { namespaces: [{ type: 'uts' }] } }), 'config.json: hostname must be a string');
  });

  it('allows only namespaced sysctls, each with its namespace', () => {
    const withSysctl = (sysctl: Json, namespaces: string[] = []) =>
      specWith({ linux: { sysctl, namespaces: namespaces.map((type) => ({ type })) } });
    rejects(withSysctl({ 'vm.swappiness': '10' }),
      'config.json: linux.sysctl["vm.swappiness"] is not namespaced, so setting it would change the host');
    rejects(withSysctl({ 'net.ipv4.ip_forward': '1' }),
      'config.json: linux.sysctl["net.ipv4.ip_forward"] needs a network namespace in linux.namespaces (otherwise it would change the host)');
    rejects(withSysctl({ 'kernel.shmmax': '1' }, ['network']),
      'config.json: linux.sysctl["kernel.shmmax"] needs a ipc namespace in linux.namespaces (otherwise it would change the host)');
    rejects(withSysctl({ 'kernel.hostname': 'x' }, ['uts']),
      'config.json: linux.sysctl["kernel.hostname"] conflicts with the hostname field; set hostname instead');
    rejects(withSysctl({ 'net.core.somaxconn': 1 }, ['network']), 'config.json: linux.sysctl["net.core.somaxconn"] must be a string');
    assert.doesNotThrow(() => validateSpec(withSysctl({
      'net/ipv4/ip_forward': '1', 'fs.mqueue.msg_max': '10', 'kernel.sem': '1 2 3 4', 'kernel.domainname': 'x',
    }, ['network', 'ipc', 'uts'])));
  });
});

describe('validateProcess', () => {
  it('accepts a process on its own and returns it', () => {
    const process = { user: { uid: 1000, gid: 1000 }, args: ['ls', '-l'], cwd: '/home', env: ['A=1'] };
    assert.equal(validateProcess(process), process);
  });

  it('reports with the given source, "process" by default', () => {
    assert.throws(() => validateProcess(undefined), { name: 'InvalidArgument', message: 'process: process is required' });
    assert.throws(() => validateProcess([], 'exec.json'), { name: 'InvalidArgument', message: 'exec.json: process must be an object' });
    assert.throws(() => validateProcess({ user: { uid: 0, gid: 0 }, args: ['sh'], cwd: 'relative' }, '/tmp/p.json'),
      { name: 'InvalidArgument', message: '/tmp/p.json: process.cwd must be an absolute path, got "relative"' });
  });
});
