// A multi-service file run by Debian's docker-compose (1.29, through docker-py and the Engine
// API) against berthd: the services share the project's network and reach each other by
// service name; `down` removes containers and network.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { TestDaemon, daemonForSuite } from '../../support/daemon.js';

const compose = '/usr/bin/docker-compose';
const skip = existsSync(compose) ? false : `${compose} is missing (Debian's docker-compose, installed by the set-up command): the compose test cannot run`;

const composeFile = `version: "3.8"
services:
  web:
    image: busybox
    command: sh -c 'mkdir -p /www && echo hello-compose > /www/index.html && exec httpd -f -p 80 -h /www'
  client:
    image: busybox
    depends_on: [web]
    command: sh -c 'for i in 1 2 3 4 5; do printf "GET /index.html HTTP/1.0\\r\\n\\r\\n" | nc -w 3 web 80 && exit 0; sleep 1; done; exit 1'
`;

describe('berthd with docker-compose', { skip }, () => {
  const suite = daemonForSuite();
  let daemon: TestDaemon;
  beforeEach(() => {
    daemon = suite.daemon;
  });

  const run = (args: string[]) => {
    const file = join(daemon.dir, 'docker-compose.yml');
    writeFileSync(file, composeFile);
    return spawnSync(compose, ['-p', daemon.prefix, '-f', file, ...args], {
      timeout: 120_000,
      env: { ...process.env, DOCKER_HOST: daemon.host, DOCKER_CONFIG: join(daemon.dir, 'docker-config'), COMPOSE_INTERACTIVE_NO_CLI: '1' },
    });
  };

  it('runs two services that reach each other by service name, and takes them down again', () => {
    const up = run(['up', '--abort-on-container-exit', '--exit-code-from', 'client']);
    const output = `${up.stdout}\n${up.stderr}`;
    assert.equal(up.status, 0, `${output}\n${daemon.log}`);
    assert.match(output, /hello-compose/);
    const network = `${daemon.prefix}_default`;
    assert.equal(daemon.docker(['network', 'inspect', '--format', '{{.Name}}', network]).stdout.trim(), network);
    const down = run(['down']);
    assert.equal(down.status, 0, down.stderr.toString());
    assert.equal(daemon.docker(['ps', '-aq']).stdout, '');
    assert.notEqual(daemon.docker(['network', 'inspect', network]).status, 0);
  });
});
