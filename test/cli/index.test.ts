import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { REAL, SAMPLES, runCli } from '../helpers.js';
import Database from 'better-sqlite3';
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

  it('stores a phantom-risk warning when only the folder\'s dicom.ini says the server is a virtual server', () => {
    const dir = tmp();
    copyFileSync(path.join(SAMPLES, 'incident', 'dicom.ini'), path.join(dir, 'dicom.ini')); // VirtualServerFor0 = MAINPACS
    const move = [
      '',
      'UPACS THREAD 7: STARTED AT: Thu Nov 26 16:42:07 2026',
      '\tCalling Application Title : "WS1             "',
      '\tCalled Application Title : "ROUTER          "',
      '\tPresentation Context 0 "1.2.840.10008.5.1.4.1.2.1.2" 1',
      '\tC-Move Destination: "WS2 "',
      'Number of images to send: 2',
      "Host 'WS2' did not accept the connection",
      'C-Move (PatientRoot)',
      'UPACS THREAD 7: ENDED AT: Thu Nov 26 16:42:07 2026',
      'UPACS THREAD 7: TOTAL RUNNING TIME: 0 SECONDS',
    ].map((m) => `Thu Nov 26 16:42:07 2026 ${m}`);
    writeFileSync(path.join(dir, 'serverstatus.log'), move.join('\n') + '\n', 'latin1');
    const db = path.join(dir, 'i.sqlite');
    expect(runCli(['index', '--db', db, dir]).code).toBe(0);
    const d = new Database(db, { readonly: true });
    try {
      const rows = d.prepare("SELECT json FROM warnings WHERE kind = 'phantom-risk'").all() as { json: string }[];
      expect(rows).toHaveLength(1);
      expect(JSON.parse(rows[0]!.json)).toMatchObject({ requestingAe: 'WS1', destinationAe: 'WS2', imageCount: 2 });
    } finally {
      d.close();
    }
  });
});
