#!/usr/bin/env node
// Runs the compiled tests with Node's own test runner: unit tests first, then the
// integration tests (root, real kernel). `npm test` runs both; an argument picks one suite.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const suites = process.argv.slice(2);
const wanted = suites.length ? suites : ['unit', 'integration'];

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.js') ? [path] : [];
  }).sort();
}

const files = wanted.flatMap((suite) => testFiles(join('dist', 'test', suite)));
if (files.length === 0) {
  console.error(`run-tests: no compiled tests under dist/test/{${wanted.join(',')}}; run the set-up command first`);
  process.exit(1);
}
// Integration tests start real containers; one file at a time keeps a 2-core machine honest.
// A test that hangs fails after 3 minutes (its cleanup still runs) rather than stalling CI.
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=180000', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
