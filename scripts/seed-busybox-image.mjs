#!/usr/bin/env node
// Makes the image README's run command uses, busybox:latest, from the busybox fixture rootfs
// (Debian's busybox-static): through the running berthd's API if one answers on the default
// socket, else straight into the default data root. Skipped when the image is already there.
// No network: the image is built here, never pulled.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const rootfs = join(root, 'test', 'fixtures', 'build', 'busybox-rootfs');
const socketPath = '/run/berth/berth.sock';
const dataRoot = process.env.BERTH_DATA_ROOT ?? '/var/lib/berth';
const changes = { Cmd: ['sh'] };

function tarOfRootfs() {
  return spawn('tar', ['--numeric-owner', '-C', rootfs, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] }).stdout;
}

function api(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (body) body.pipe(req);
    else req.end();
  });
}

async function viaDaemon() {
  if ((await api('GET', '/images/busybox:latest/json')).status === 200) return 'already present';
  const query = new URLSearchParams({ fromSrc: '-', repo: 'busybox', tag: 'latest', changes: 'CMD ["sh"]' });
  const answer = await api('POST', `/images/create?${query}`, tarOfRootfs());
  if (answer.status !== 200 || answer.body.includes('"error"')) throw new Error(`berthd refused the import: ${answer.body}`);
  return 'imported through berthd';
}

async function directly() {
  const { ContentStore } = await import(join(root, 'dist/src/images/content-store.js'));
  const { ImageStore } = await import(join(root, 'dist/src/images/image-store.js'));
  const { importRootfsTar } = await import(join(root, 'dist/src/images/import.js'));
  const images = await ImageStore.open(join(dataRoot, 'image'));
  if (images.find('busybox:latest')) return 'already present';
  await importRootfsTar(new ContentStore(dataRoot), images, tarOfRootfs(), { ref: 'busybox:latest', changes });
  return `imported into ${dataRoot}`;
}

const daemonAnswers = await api('GET', '/_ping').then((r) => r.status === 200, () => false);
const outcome = daemonAnswers ? await viaDaemon() : await directly();
console.log(`seed-busybox-image: busybox:latest ${outcome}`);
