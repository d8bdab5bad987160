// The daemon's pure parts: route matching and version checks, flags over daemon.json, detach
// keys, event filters, log time parameters, error statuses.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseDaemonArgs, parseByteSize } from '../../../src/daemon/config.js';
import { DetachKeyWatch, parseDetachKeys } from '../../../src/daemon/engine/container/detach-keys.js';
import { parseLogTime } from '../../../src/daemon/engine/container/logs.js';
import { humanDuration } from '../../../src/go-units.js';
import { errorResponse, NotModified } from '../../../src/daemon/server/errors.js';
import { Router } from '../../../src/daemon/server/router.js';
import { eventMatches, parseEventFilters, parseFilterParameter } from '../../../src/daemon/router/system/event-filters.js';
import { EventBus, type EngineEvent } from '../../../src/daemon/engine/events.js';
import { Conflict, InvalidArgument, NotFound } from '../../../src/errors.js';

describe('router', () => {
  const router = new Router();
  const handler = () => {};
  router.get('/containers/:id/json', handler).post('/images/:name*/push', handler);

  it('matches versioned and unversioned paths, with one-segment and greedy parameters', () => {
    assert.deepEqual(router.match('GET', '/containers/abc/json').params, { id: 'abc' });
    const pushed = router.match('POST', '/v1.41/images/localhost:5000/team/app/push');
    assert.deepEqual(pushed.params, { name: 'localhost:5000/team/app' });
    assert.equal(pushed.apiVersion, '1.41');
  });

  it('refuses versions it does not speak, and unknown paths, with clear messages', () => {
    assert.throws(() => router.match('GET', '/v1.99/containers/a/json'), /client version 1.99 is too new. Maximum supported API version is 1.43/);
    assert.throws(() => router.match('GET', '/v1.12/containers/a/json'), /too old/);
    assert.throws(() => router.match('GET', '/nothing'), NotFound);
    assert.throws(() => router.match('DELETE', '/containers/a/json'), /method DELETE not allowed/);
  });
});

describe('error statuses', () => {
  it('maps error kinds as Docker does, and anything else to 500', () => {
    assert.equal(errorResponse(new NotFound('No such container: x')).status, 404);
    assert.equal(errorResponse(new InvalidArgument('bad')).status, 400);
    assert.equal(errorResponse(new Conflict('in use')).status, 409);
    assert.equal(errorResponse(new NotModified()).status, 304);
    assert.deepEqual(errorResponse(new Error('boom')), { status: 500, message: 'boom' });
  });
});

describe('daemon configuration', () => {
  it('takes flags over daemon.json, and bounds logs by default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berthd-config-'));
    try {
      const file = join(dir, 'daemon.json');
      writeFileSync(file, JSON.stringify({ 'data-root': '/from/file', 'storage-driver': 'vfs', 'log-opts': { 'max-size': '5m', 'max-file': '2' } }));
      const config = parseDaemonArgs(['--config-file', file, '--data-root', '/from/flag'], {});
      assert.equal(config.dataRoot, '/from/flag');
      assert.equal(config.storageDriver, 'vfs');
      assert.deepEqual(config.log, { maxSize: 5 * 1024 * 1024, maxFiles: 2 });
      assert.deepEqual(config.hosts, ['unix:///run/berth/berth.sock']);
      // A config file named on the command line must exist; the default one may be absent.
      assert.throws(() => parseDaemonArgs(['--config-file', join(dir, 'none.json')], {}), /cannot read config file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(parseDaemonArgs([], {}).log.maxFiles, 3);
  });

  it('refuses TCP without TLS, unknown flags, and runtimes it does not know', () => {
    assert.throws(() => parseDaemonArgs(['-H', 'tcp://127.0.0.1:2376'], {}), /without TLS/);
    assert.throws(() => parseDaemonArgs(['--bogus'], {}), /unknown flag --bogus/);
    assert.throws(() => parseDaemonArgs(['--default-runtime', 'crun'], {}), /default runtime "crun" is not configured/);
    assert.equal(parseByteSize('1.5k', 'x'), 1536);
    assert.throws(() => parseByteSize('lots', 'max-size'), /invalid max-size "lots"/);
  });
});

describe('detach keys', () => {
  it('parses Docker\'s notation', () => {
    assert.deepEqual(parseDetachKeys(undefined), [0x10, 0x11]);
    assert.deepEqual(parseDetachKeys('ctrl-a,x'), [1, 0x78]);
    assert.throws(() => parseDetachKeys('ctrl-Ω'), /Invalid detach keys/);
  });

  it('detaches on the sequence, across chunks, and passes a broken sequence through', () => {
    const watch = new DetachKeyWatch([0x10, 0x11]);
    assert.deepEqual(watch.push(Buffer.from([0x61, 0x10])), { passed: Buffer.from([0x61]), detached: false });
    assert.deepEqual(watch.push(Buffer.from([0x62])), { passed: Buffer.from([0x10, 0x62]), detached: false });
    assert.deepEqual(watch.push(Buffer.from([0x10, 0x11, 0x63])), { passed: Buffer.from([]), detached: true });
  });
});

describe('events', () => {
  it('filters by type, action, container name and label', () => {
    const bus = new EventBus();
    const seen: EngineEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    bus.publish('container', 'die', 'abc123', { name: 'web', image: 'busybox', tier: 'front', exitCode: '0' });
    bus.publish('image', 'pull', 'busybox:latest', { name: 'busybox:latest' });
    const [die, pull] = seen as [EngineEvent, EngineEvent];
    assert.equal(die.status, 'die');
    const filters = parseEventFilters('{"type":["container"],"container":["web"],"label":["tier=front"]}');
    assert.equal(eventMatches(die, filters), true);
    assert.equal(eventMatches(pull, filters), false);
    assert.equal(eventMatches(die, parseEventFilters('{"event":{"start":true}}')), false);
    assert.throws(() => parseEventFilters('{"colour":["red"]}'), /invalid filter 'colour'/);
    assert.throws(() => parseFilterParameter('[1]'), /invalid filter/);
  });
});

describe('log parameters and durations', () => {
  it('reads since/until as unix seconds with fractions or RFC 3339', () => {
    assert.equal(parseLogTime('1700000000.5', 'since'), 1700000000500000000n);
    assert.equal(parseLogTime('2026-11-23T10:00:00Z', 'since'), BigInt(Date.parse('2026-11-23T10:00:00Z')) * 1_000_000n);
    assert.throws(() => parseLogTime('yesterday', 'since'), /invalid value for "since"/);
  });

  it('prints durations as Docker does', () => {
    assert.equal(humanDuration(400), 'Less than a second');
    assert.equal(humanDuration(3000), '3 seconds');
    assert.equal(humanDuration(90_000), 'About a minute');
    assert.equal(humanDuration(150_000), '2 minutes');
    assert.equal(humanDuration(3_600_000), 'About an hour');
  });
});
