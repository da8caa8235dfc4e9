import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ndjson, REAL, runCli, SAMPLES } from '../helpers.js';
import { tmp } from '../store/helpers.js';

const S2 = path.join(REAL, 's2-virtual-move-ok', 'router');
const SERIES = '1.3.46.670589.5.2.10.2156913941.892665339.860724';
let dir: string;
let db: string;

beforeAll(() => {
  dir = tmp('cqlog-search-');
  db = path.join(dir, 'index.sqlite');
  cpSync(path.join(SAMPLES, 'prefixes', 'windows-dgate.log'), path.join(dir, 'windows-dgate.log'));
  const r = runCli(['index', '--db', db, S2, path.join(dir, 'windows-dgate.log')]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});

function search(...args: string[]): ReturnType<typeof runCli> {
  return runCli(['search', '--db', db, ...args]);
}

describe('cqlog search', () => {
  it('prints hits in time order with time, source:line and text', () => {
    const r = search('Grabbed');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`2026-11-27T19:31:41  ${S2.replace(/\\/g, '/')}/serverstatus.log:22  Virtual server - Grabbed 2 images for 12345678 from MAINPACS`);
  });

  it('--json prints the event contract exactly as `cqlog events --json`', () => {
    const all = ndjson(runCli(['events', '--json', S2]).stdout);
    const got = ndjson(search(SERIES, '--json', '--limit', '1000').stdout);
    expect(got.length).toBeGreaterThan(0);
    const byKey = new Map(all.map((e) => [`${e.source}:${e.line}`, e]));
    for (const e of got) expect(e).toEqual(byKey.get(`${e.source}:${e.line}`));
    expect(Object.keys(got[0]!)).toEqual(['source', 'line', 'offset', 'time', 'kind', 'text', 'fields']);
  });

  it('finds a UID and a PatientID inside a Windows path, and the whole path', () => {
    const uid = '1.2.840.113619.2.55.3.604688119.868.1595488540.1';
    const byUid = ndjson(search(uid, '--json').stdout);
    expect(byUid.map((e) => e.kind)).toEqual(['written-file', 'written-file', 'written-file']);
    const byId = ndjson(search('12345678', '--json', '--limit', '1000').stdout);
    expect(byId.some((e) => String(e.text).startsWith('Written file: D:\\conquest\\data\\12345678\\'))).toBe(true);
    const whole = ndjson(search(`D:\\conquest\\data\\12345678\\${uid}_0002_000002_15954957400001.dcm`, '--json').stdout);
    expect(whole).toHaveLength(1);
    // A prefix of a UID is not a match; with * it is.
    expect(ndjson(search('1.2.840.113619', '--json').stdout)).toHaveLength(0);
    expect(ndjson(search('1.2.840.113619*', '--json').stdout)).toHaveLength(3);
  });

  it('hostile queries never raise an error', () => {
    // Many more go through the library in test/store/search.test.ts; these go through argv.
    for (const q of ['"', "'", 'a:b', '\\', '*', 'NEAR(', ') OR 1=1 --', '-x']) {
      // `--` ends the options, so a query may start with `-`.
      const r = runCli(['search', '--db', db, '--', q]);
      expect(r.code, q).toBe(0);
      expect(r.stderr, q).not.toMatch(/error|syntax/i);
    }
    for (const opt of ['--patient', '--study', '--ae']) {
      const r = search(opt, "') OR 1=1 --\"*");
      expect(r.code).toBe(0);
    }
    // The table is still there.
    expect(search('Grabbed').stdout).toContain('Grabbed');
  });

  it('--patient, --study, --ae and --kind filter', () => {
    const p = ndjson(search('--patient', '12345678', '--json', '--limit', '1000').stdout);
    expect(p.length).toBeGreaterThan(5);
    expect(p.every((e) => JSON.stringify(e).includes('12345678'))).toBe(true);
    const st = ndjson(search('--study', '1.3.46.670589.5.2.10.2156913941.892665384.993397', '--json').stdout);
    expect(st).toHaveLength(0);
    // The whole association of WS1 (its move and the nested collection's events once that ended), not only the line naming it.
    const ae = ndjson(search('--ae', 'WS1', '--kind', 'sending-file', '--json').stdout);
    expect(ae.length).toBe(4);
    const mainpacs = ndjson(search('--ae', 'MAINPACS', '--kind', 'written-file', '--json').stdout);
    expect(mainpacs).toHaveLength(2);
    const ct = ndjson(search('--ae', 'CT01', '--json', '--limit', '1000').stdout);
    expect(ct.some((e) => e.kind === 'rewritten-file')).toBe(true);
    expect(ct.some((e) => e.kind === 'user-log')).toBe(true);
    const kinds = ndjson(search('--kind', 'thread-start', '--json', '--limit', '1000').stdout);
    expect(new Set(kinds.map((e) => e.kind))).toEqual(new Set(['thread-start']));
    const since = ndjson(search('--kind', 'thread-start', '--since', '2026-11-27T19:31:46', '--until', '2026-11-27T19:31:50', '--json').stdout);
    expect(since.map((e) => e.line)).toEqual([31]);
  });

  it('--context adds neighbouring lines of the same source, marked', () => {
    const r = search('Grabbed', '--context', '2');
    const out = r.stdout.trim().split('\n');
    expect(out).toHaveLength(5);
    expect(out.filter((l) => l.startsWith('> '))).toHaveLength(1);
    expect(out[2]).toMatch(/^> .*:22 {2}Virtual server - Grabbed/);
    expect(out[0]).toMatch(/:20 {2}Written file/);
    const js = ndjson(search('Grabbed', '--context', '1', '--json').stdout);
    expect(js.map((e) => [e.line, e.context ?? false])).toEqual([
      [21, true],
      [22, false],
      [23, true],
    ]);
  });

  it('no hit: says which time span and sources were searched', () => {
    const r = search('87654321');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no match for "87654321"\. Searched \d+ events, time span 2020-07-22T14:02:58 \.\. 2026-11-27T19:31:51, in 3 sources:/);
    expect(r.stdout).toContain('windows-dgate.log');
    const j = search('87654321', '--json');
    expect(j.stdout).toBe('');
    expect(j.stderr).toContain('no match');
  });

  it.skipIf(process.platform === 'win32')('a new index is readable by its owner only: it holds the logs\' text', () => {
    expect(statSync(db).mode & 0o077).toBe(0);
  });

  it('--redact pseudonymises patient IDs in the output', () => {
    const r = search('Grabbed', '--redact', '--json');
    const [e] = ndjson(r.stdout);
    expect(String(e!.text)).not.toContain('12345678');
    expect(String(e!.text)).toMatch(/P-[0-9a-f]{8}/);
  });

  it('a newer schema, a missing index and bad arguments exit 2 with a message', () => {
    const newer = path.join(dir, 'newer.sqlite');
    expect(runCli(['index', '--db', newer, S2]).code).toBe(0);
    const d = new Database(newer);
    d.prepare("UPDATE meta SET value = '999' WHERE key = 'schema_version'").run();
    d.close();
    const r = runCli(['search', '--db', newer, 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/schema version 999, made by a newer cqlog/);
    expect(runCli(['index', '--db', newer, S2]).code).toBe(2);
    const missing = runCli(['search', '--db', path.join(dir, 'nope.sqlite'), 'x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no index there/);
    expect(search('x', '--limit', 'lots').code).toBe(2);
    expect(search('x', '--since', 'yesterday').code).toBe(2);
    writeFileSync(path.join(dir, 'not.sqlite'), 'hello');
    expect(runCli(['search', '--db', path.join(dir, 'not.sqlite'), 'x']).code).toBe(2);
  });

  it('a damaged stored block is reported on stderr; the rest is searched', () => {
    const file = path.join(dir, 'damaged.sqlite');
    expect(runCli(['index', '--db', file, S2]).code).toBe(0);
    const d = new Database(file);
    const id = d.prepare('SELECT min(id) FROM blocks').pluck().get() as number;
    d.prepare("UPDATE block_data SET data = x'0011' WHERE id = ?").run(id);
    d.close();
    const r = runCli(['search', '--db', file, '--json', '--kind', 'written-file']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/the stored lines of .*serverstatus\.log from line 1 cannot be read .* index that log again/);
    expect(() => ndjson(r.stdout)).not.toThrow();
  });
});
