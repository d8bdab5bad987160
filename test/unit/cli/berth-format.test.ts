import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Template, printValue } from '../../../src/cli/berth/format/template.js';
import { renderList, renderOne } from '../../../src/cli/berth/format/render.js';
import { tabulate } from '../../../src/cli/berth/format/tabwriter.js';
import { ellipsis, humanDuration, humanSize, ramInBytes, truncateId } from '../../../src/cli/berth/format/units.js';
import { containerHeaders, containerRow, defaultPsFormat } from '../../../src/cli/berth/format/containers.js';
import { defaultImagesFormat, imageHeaders, imageRows } from '../../../src/cli/berth/format/images.js';
import { progressString } from '../../../src/cli/berth/progress.js';

const t = (source: string, data: unknown) => new Template(source).execute(data);

describe('Go template subset', () => {
  const inspect = { Id: 'abc', State: { Pid: 42, Running: true, Health: null }, Config: { Labels: { 'com.x': 'y', a: 'b' }, Env: ['A=1', 'B=2'] } };

  it('prints fields, nested fields, and Go renderings of values', () => {
    assert.equal(t('{{.Id}}', inspect), 'abc');
    assert.equal(t('{{.State.Pid}} {{.State.Running}}', inspect), '42 true');
    // docker: "map has no entry for key" (inspect) or "can't evaluate field" (typed contexts).
    assert.throws(() => t('{{.Missing}}', inspect), /template: executing "" at <\.Missing>: map has no entry for key "Missing"/);
    assert.throws(() => t('{{.Config.Labels.nope}}', inspect), /map has no entry for key "nope"/);
    assert.equal(t('{{index .Config.Labels "nope"}}', inspect), '<no value>');
    assert.equal(t('{{.State.Health}}', inspect), '<nil>');
    assert.equal(t('{{.Config.Env}}', inspect), '[A=1 B=2]');
    assert.equal(t('{{.Config.Labels}}', inspect), 'map[a:b com.x:y]');
  });

  it('has json, index, join, upper, lower, len and printf', () => {
    assert.equal(t('{{json .State}}', inspect), '{"Pid":42,"Running":true,"Health":null}');
    assert.equal(t('{{json .}}', { a: '<b>' }), '{"a":"<b>"}');
    assert.equal(t('{{index .Config.Labels "com.x"}}', inspect), 'y');
    assert.equal(t('{{join .Config.Env ","}}', inspect), 'A=1,B=2');
    assert.equal(t('{{.Id | upper}}', inspect), 'ABC');
    assert.equal(t('{{len .Config.Env}}', inspect), '2');
    assert.equal(t('{{printf "%s-%d" .Id .State.Pid}}', inspect), 'abc-42');
  });

  it('ranges over lists and maps, with variables, and branches with if/else', () => {
    assert.equal(t('{{range .Config.Env}}[{{.}}]{{end}}', inspect), '[A=1][B=2]');
    assert.equal(t('{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}', inspect), 'a=b;com.x=y;');
    assert.equal(t('{{if .State.Running}}up{{else}}down{{end}}', inspect), 'up');
    assert.equal(t('{{if .State.Health}}h{{else if .State.Running}}r{{end}}', inspect), 'r');
    assert.equal(t('{{with .State}}{{.Pid}}{{end}}', inspect), '42');
    assert.equal(t('{{range .Nothing}}x{{else}}empty{{end}}', { Nothing: [] }), 'empty');
    assert.equal(t('a {{- " b " -}} c', {}), 'a b c');
  });

  it('calls context methods with arguments ({{.Label "k"}})', () => {
    assert.equal(t('{{.Label "k"}}', { Label: (k: string) => `v-${k}` }), 'v-k');
  });

  it('reports template errors', () => {
    assert.throws(() => new Template('{{if .A}}x'), /missing \{\{end\}\}/);
    assert.throws(() => t('{{nosuch .A}}', {}), /function "nosuch" not defined/);
  });

  it('prints values as Go does', () => {
    assert.equal(printValue([1, 'a', true]), '[1 a true]');
    assert.equal(printValue({}), 'map[]');
  });
});

describe('tables', () => {
  it('aligns columns as tabwriter(minwidth 10, padding 3) does; the last column is not padded', () => {
    assert.equal(tabulate('A\tBB\tC\nlonger value\tx\tlast\n'), 'A              BB        C\nlonger value   x         last\n');
  });

  it('renders a table format with headers from the field names', () => {
    const out = renderList('table {{.ID}}\\t{{.Names}}', [{ ID: '0123456789ab', Names: 'web' }], containerHeaders);
    assert.equal(out, 'CONTAINER ID   NAMES\n0123456789ab   web\n');
  });

  it('renders non-table formats once per item, and json as one line each', () => {
    assert.equal(renderList('{{.ID}}', [{ ID: 'a' }, { ID: 'b' }], {}), 'a\nb\n');
    assert.equal(renderList('json', [{ ID: 'a' }], {}), '{"ID":"a"}\n');
    assert.equal(renderOne('{{.Id}}', { Id: 'x' }), 'x\n');
  });

  it('shows docker ps columns', () => {
    const now = Date.UTC(2024, 0, 1, 12, 0, 0);
    const row = containerRow({
      Id: 'f'.repeat(64), Names: ['/web'], Image: 'busybox', Command: 'sh -c \'while true; do sleep 1; done\'',
      Created: now / 1000 - 120, Ports: [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }, { PrivatePort: 443, Type: 'tcp' }],
      State: 'running', Status: 'Up 2 minutes', Labels: { b: '2', a: '1' },
    }, true, now);
    assert.equal(row.ID, 'ffffffffffff');
    assert.equal(row.Command, '"sh -c \'while true; …"');
    assert.equal(row.RunningFor, '2 minutes ago');
    assert.equal(row.Ports, '0.0.0.0:8080->80/tcp, 443/tcp');
    assert.equal(row.Labels, 'a=1,b=2');
    const table = renderList(defaultPsFormat, [row], containerHeaders);
    const [header, line] = table.split('\n');
    assert.match(header!, /^CONTAINER ID {3}IMAGE {5}COMMAND {18}CREATED {9}STATUS {9}PORTS {27}NAMES$/);
    assert.match(line!, /^ffffffffffff {3}busybox {3}"sh -c 'while true; …" {3}2 minutes ago {3}Up 2 minutes {3}0\.0\.0\.0:8080->80\/tcp, 443\/tcp {3}web$/);
  });

  it('shows docker images rows: one per tag, <none> for dangling', () => {
    const now = Date.UTC(2024, 0, 1);
    const rows = imageRows({ Id: `sha256:${'ab'.repeat(32)}`, RepoTags: ['busybox:latest', 'localhost:5000/bb:1'], Created: now / 1000 - 3 * 86400, Size: 4_261_000 }, true, now);
    assert.deepEqual(rows.map((r) => [r.Repository, r.Tag, r.ID, r.CreatedSince, r.Size]), [
      ['busybox', 'latest', 'abababababab', '3 days ago', '4.26MB'],
      ['localhost:5000/bb', '1', 'abababababab', '3 days ago', '4.26MB'],
    ]);
    const dangling = imageRows({ Id: 'sha256:1234567890abcdef', RepoTags: [], Size: 10 }, true, now);
    assert.deepEqual([dangling[0]!.Repository, dangling[0]!.Tag], ['<none>', '<none>']);
    const table = renderList(defaultImagesFormat(false), rows, imageHeaders);
    assert.equal(table.split('\n')[0], 'REPOSITORY          TAG       IMAGE ID       CREATED      SIZE');
  });
});

describe('human units', () => {
  it('phrases durations as go-units does', () => {
    assert.equal(humanDuration(500), 'Less than a second');
    assert.equal(humanDuration(1000), '1 second');
    assert.equal(humanDuration(45_000), '45 seconds');
    assert.equal(humanDuration(60_000), 'About a minute');
    assert.equal(humanDuration(3 * 60_000), '3 minutes');
    assert.equal(humanDuration(3_600_000), 'About an hour');
    assert.equal(humanDuration(5 * 3_600_000), '5 hours');
    assert.equal(humanDuration(3 * 86_400_000), '3 days');
    assert.equal(humanDuration(20 * 86_400_000), '2 weeks');
    assert.equal(humanDuration(90 * 86_400_000), '3 months');
    assert.equal(humanDuration(800 * 86_400_000), '2 years');
  });

  it('prints sizes in decimal units with 3 significant digits (images) or 4 (progress)', () => {
    assert.equal(humanSize(0, 3), '0B');
    assert.equal(humanSize(999, 3), '999B');
    assert.equal(humanSize(4_261_000, 3), '4.26MB');
    assert.equal(humanSize(1_000_000, 3), '1MB');
    assert.equal(humanSize(1_234_567_890, 3), '1.23GB');
    assert.equal(humanSize(2_811_478, 4), '2.811MB');
  });

  it('parses binary sizes, truncates ids, cuts with an ellipsis', () => {
    assert.equal(ramInBytes('512m'), 536870912);
    assert.equal(ramInBytes('1GiB'), 1073741824);
    assert.equal(ramInBytes('100'), 100);
    assert.throws(() => ramInBytes('12x'));
    assert.equal(truncateId('sha256:0123456789abcdef'), '0123456789ab');
    assert.equal(ellipsis('abcdef', 4), 'abc…');
    assert.equal(ellipsis('abc', 4), 'abc');
  });

  it('draws progress as docker does', () => {
    assert.equal(progressString({ current: 1_000_000, total: 2_000_000 }, 80), '     1MB/2MB');
    assert.equal(progressString({ current: 1_000_000, total: 2_000_000 }, 120), `[${'='.repeat(25)}>${' '.repeat(25)}]      1MB/2MB`);
    assert.equal(progressString({}, 120), '');
  });
});
