import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { REAL, runCli } from '../helpers.js';
import { lines, tmp } from '../store/helpers.js';

describe('cqlog index', () => {
  it('uses <dataDir>/index.sqlite by default and prints a summary', () => {
    const data = tmp('cqlog-data-');
    const r = runCli(['index', path.join(REAL, 's6-zip-rotation', 'router')], { env: { CQLOG_DATA_DIR: data } });
    expect(r.code).toBe(0);
    expect(existsSync(path.join(data, 'index.sqlite'))).toBe(true);
    expect(r.stdout).toMatch(/logs_20261127\.zip!serverstatus\.log: archive: \+14 lines/);
    expect(r.stdout).toMatch(/5 sources, 30 new lines, 30 new events, 0 archives skipped/);
    const again = runCli(['index', path.join(REAL, 's6-zip-rotation', 'router')], { env: { CQLOG_DATA_DIR: data } });
    expect(again.stdout).toMatch(/0 new lines, 0 new events, 1 archive skipped/);
    expect(again.stdout).toContain('archive already indexed, skipped');
    // No progress bar when stderr is not a terminal.
    expect(again.stderr).toBe('');
  });

  it('a corrupt zip is reported and skipped; exit 0 when the rest was read, 2 when nothing was', () => {
    const dir = tmp();
    mkdirSync(path.join(dir, 'logs'));
    writeFileSync(path.join(dir, 'logs', 'logs_20240101.zip'), 'garbage, not a zip');
    writeFileSync(path.join(dir, 'serverstatus.log'), lines(3), 'latin1');
    const db = path.join(dir, 'i.sqlite');
    const r = runCli(['index', '--db', db, dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^cqlog: .*logs_20240101\.zip.*: .*zip/m);
    expect(r.stdout).toMatch(/logs_20240101\.zip: UNREADABLE, skipped/);
    expect(r.stdout).toMatch(/\+3 events/);
    const only = runCli(['index', '--db', db, path.join(dir, 'logs', 'logs_20240101.zip')]);
    expect(only.code).toBe(2);
    expect(runCli(['index', '--db', db, path.join(dir, 'nothing-here.log')]).code).toBe(2);
    expect(runCli(['index', '--db', db]).code).toBe(2);
  });

  it('--json prints the summary', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'serverstatus.log'), lines(7), 'latin1');
    const r = runCli(['index', '--db', path.join(dir, 'i.sqlite'), '--json', path.join(dir, 'serverstatus.log')]);
    const s = JSON.parse(r.stdout) as { newEvents: number; sources: { status: string }[] };
    expect(s.newEvents).toBe(7);
    expect(s.sources[0]!.status).toBe('new');
  });
});
