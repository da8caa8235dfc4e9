/** `cqlog analyze` and `cqlog timeline` end to end: the bundled incident, the genuine logs, a big noisy log. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REAL, ROOT, runCli } from '../helpers.js';
import { BSN, HOSPITAL_ID, LogBuilder } from '../correlate/logBuilder.js';

const INCIDENT = 'samples/incident';
const STUDY = '1.3.46.670589.5.2.10.2156913941.892665384.993397';
const env = { CQLOG_REDACT_KEY: 'analyze-test-key' };

describe('cqlog analyze on the bundled incident', () => {
  it('never wraps a citation inside a folder name with spaces: each source:line stays on one line', () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'cqlog-wrap-')), 'Conquest logs van de router');
    cpSync(path.join(ROOT, INCIDENT), dir, { recursive: true });
    const r = runCli(['analyze', dir]);
    expect(r.code).toBe(0);
    const cites = [...r.stdout.matchAll(/\(((?:[A-Za-z]:)?\/[^()]*?:\d+)\)/g)].map((m) => m[1]!);
    expect(cites.length).toBeGreaterThan(0);
    for (const c of cites) expect(c).toContain('Conquest logs van de router/');
    rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  it('explains the collision as phantom-from-failed-retrieve, citing the failed move in yesterday\'s zip', () => {
    const r = runCli(['analyze', '--json', INCIDENT]);
    expect(r.code).toBe(0);
    const a = JSON.parse(r.stdout);
    expect(Object.keys(a)).toEqual(expect.arrayContaining(['collisions', 'warnings', 'inputs']));
    expect(a.collisions).toHaveLength(1);
    const c = a.collisions[0];
    for (const k of ['table', 'column', 'key', 'studyUid', 'oldValue', 'refusedValue', 'firstSeen', 'lastSeen', 'refusals', 'cause', 'confidence', 'explanation', 'oldLooksLikeBsn', 'refusedLooksLikeBsn', 'resolvedAt', 'evidence', 'remediation']) {
      expect(c, k).toHaveProperty(k);
    }
    expect(c).toMatchObject({ table: 'DICOMStudies', column: 'PatientID', key: { column: 'StudyInsta', value: STUDY }, studyUid: STUDY, oldValue: '123456782', refusedValue: '12345678', cause: 'phantom-from-failed-retrieve', oldLooksLikeBsn: true, refusedLooksLikeBsn: false, resolvedAt: null });
    const refused = c.evidence.find((e: { kind: string }) => e.kind === 'host-refused');
    expect(refused.source).toMatch(/^samples\/incident\/logs\/logs_\d{8}\.zip!serverstatus\.log$/);
    expect(refused.line).toBeGreaterThan(0);
    for (const e of c.evidence) expect(Object.keys(e)).toEqual(expect.arrayContaining(['source', 'line', 'time', 'kind', 'text']));
    expect(c.remediation.join('\n')).toContain(`--deletestudy:123456782:${STUDY}`);
    expect(a.warnings).toHaveLength(0);
    expect(a.inputs.map((i: { source: string }) => i.source)).toContain('samples/incident/serverstatus.log');
  });

  it('human output names source:line for each piece of evidence and uses no colour off a TTY', () => {
    const r = runCli(['analyze', INCIDENT]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/phantom-from-failed-retrieve/);
    expect(r.stdout).toMatch(/logs_\d{8}\.zip!serverstatus\.log:\d+/);
    expect(r.stdout).not.toMatch(/\x1b\[/);
  });

  it('--markdown renders a table of evidence', () => {
    const r = runCli(['analyze', '--markdown', INCIDENT]);
    expect(r.stdout).toMatch(/^# cqlog analysis/);
    expect(r.stdout).toMatch(/\| time \| source:line \| role \| line \|/);
    // Remediation commands stay code spans, copied without backslashes; the text around them is escaped.
    expect(r.stdout).toContain('`dgate --deletestudy:123456782:1.3.46.670589.5.2.10.2156913941.892665384.993397`');
    expect(r.stdout).toMatch(/`SELECT PatientID, StudyInsta FROM DICOMStudies WHERE StudyInsta = '[0-9.]+';`/);
    expect(r.stdout).not.toContain('\\`');
    expect(r.stdout).toContain('S\\*, V\\*, W\\*');
  });

  it('--fail-on collision exits 1; --fail-on warning too when a collision exists; exit 0 on clean logs', () => {
    expect(runCli(['analyze', '--fail-on', 'collision', INCIDENT]).code).toBe(1);
    expect(runCli(['analyze', '--fail-on', 'warning', INCIDENT]).code).toBe(1);
    expect(runCli(['analyze', '--fail-on', 'collision', path.join(REAL, 's1-normal-push', 'router')]).code).toBe(0);
    expect(runCli(['analyze', '--fail-on', 'nonsense', INCIDENT]).code).toBe(2);
  });

  it('--fail-on unresolved exits 1 for an open collision, 0 when the logs show every collision ended', () => {
    expect(runCli(['analyze', '--fail-on', 'unresolved', INCIDENT]).code).toBe(1);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cqlog-resolved-'));
    try {
      const b = new LogBuilder(0).at('2026-11-26T16:42:00');
      b.failedMove('WS1', 'WS2', 2);
      b.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 2);
      b.at('2026-11-27T10:00:00').cleanupMove('WS1', BSN, 2);
      writeFileSync(path.join(dir, 'serverstatus.log'), b.text());
      const r = JSON.parse(runCli(['analyze', '--json', dir]).stdout);
      expect(r.collisions).toHaveLength(1);
      expect(r.collisions[0].resolvedAt).toBe('2026-11-27T10:00:00');
      expect(runCli(['analyze', '--fail-on', 'collision', dir]).code).toBe(1);
      expect(runCli(['analyze', '--fail-on', 'unresolved', dir]).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(runCli(['analyze', 'no/such/folder']).code).toBe(2);
  });

  it('--redact removes the patient IDs and the BSN from every part of the output', () => {
    const r = runCli(['analyze', '--json', '--redact', INCIDENT], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('123456782');
    expect(r.stdout).not.toMatch(/\b12345678\b/);
    expect(r.stdout).toContain(STUDY);
    const again = runCli(['analyze', '--json', '--redact', INCIDENT], { env });
    expect(again.stdout).toBe(r.stdout); // same key, same pseudonyms
  });
});

describe('cqlog analyze on the genuine Conquest logs', () => {
  it('a normal push and a served virtual move give no findings', () => {
    for (const d of ['s1-normal-push', 's2-virtual-move-ok', 's6-zip-rotation']) {
      const a = JSON.parse(runCli(['analyze', '--json', path.join(REAL, d, 'router')]).stdout);
      expect(a.collisions, d).toHaveLength(0);
      expect(a.warnings, d).toHaveLength(0);
    }
  });

  it('the debug log of a move to a wildcard-resolved AE gives one phantom-risk with the BSN folder; the unknown AE none', () => {
    const a = JSON.parse(runCli(['analyze', '--json', path.join(REAL, 's4b-unknown-ae-debug', 'router')]).stdout);
    expect(a.warnings).toHaveLength(1);
    expect(a.warnings[0]).toMatchObject({ kind: 'phantom-risk', requestingAe: 'WS1', destinationAe: 'S127.0.0.1', imageCount: 2, patientFolder: '123456782', patientFolderLooksLikeBsn: true });
    // What to do, in the JSON and under the warning in the text.
    expect(a.warnings[0].remediation.join('\n')).toContain("ImagePat = '123456782' AND DeviceName LIKE 'MAG%.%'");
    expect(a.warnings[0].remediation.some((x: string) => x.startsWith('Then retrieve by the hospital PatientID'))).toBe(true);
    const text = runCli(['analyze', path.join(REAL, 's4b-unknown-ae-debug', 'router')]).stdout;
    expect(text).toMatch(/PHANTOM RISK[\s\S]*what to do:\n {2}- Look for the rows without files/);
    // --redact reaches the steps too.
    const red = runCli(['analyze', '--json', '--redact', path.join(REAL, 's4b-unknown-ae-debug', 'router')], { env: { ...process.env, CQLOG_REDACT_KEY: 'k' } }).stdout;
    expect(red).not.toContain('123456782');
  });
});

describe('cqlog timeline', () => {
  it('by study UID: the failed move, the refusals and the PacsTrouble.log lines, in time order', () => {
    const t = JSON.parse(runCli(['timeline', STUDY, INCIDENT, '--json']).stdout);
    expect(t.collisions).toHaveLength(1);
    const kinds = t.events.map((e: { kind: string }) => e.kind);
    expect(kinds.indexOf('host-refused')).toBeLessThan(kinds.indexOf('refused-link'));
    expect(kinds).toContain('inconsistent');
    const times = t.events.map((e: { time: string }) => e.time);
    expect([...times].sort()).toEqual(times);
  });

  it('by patient ID: also the Written file lines under that patient folder', () => {
    const t = JSON.parse(runCli(['timeline', '12345678', INCIDENT, '--json']).stdout);
    expect(t.events.some((e: { kind: string }) => e.kind === 'refused-link')).toBe(true);
    expect(t.events.some((e: { kind: string; text: string }) => e.kind === 'sql-save-error' && e.text.includes('12345678/'))).toBe(true);
  });

  it('--redact leaves no patient ID, BSN or patient name in the timeline', () => {
    const r = runCli(['timeline', '12345678', INCIDENT, '--redact'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/refused-link/);
    expect(r.stdout).not.toMatch(/\b12345678\b|123456782|VRIES/);
  });

  it('--redact also hides a queried patient ID that no event field names; a UID query is kept', () => {
    const r = runCli(['timeline', '99887766', INCIDENT, '--redact', '--json'], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).query).toMatch(/^P-[0-9a-f]{8}$/);
    expect(r.stdout).not.toContain('99887766');
    expect(JSON.parse(runCli(['timeline', STUDY, INCIDENT, '--redact', '--json'], { env }).stdout).query).toBe(STUDY);
  });

  it('says when standard input keeps the second pass (folder and series lines) from running', () => {
    const log = readFileSync(path.join(INCIDENT, 'serverstatus.log'));
    const r = runCli(['timeline', '12345678', '-'], { input: log });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 collision/);
    expect(r.stderr).toMatch(/standard input cannot be read twice/);
    expect(runCli(['timeline', '12345678', INCIDENT]).stderr).not.toMatch(/read twice/);
  });

  it('an unknown id gives an empty timeline, exit 0', () => {
    const r = runCli(['timeline', '9.9.9.9', INCIDENT]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 events, 0 collisions/);
  });
});

describe('a large noisy log with one incident', () => {
  let dir = '';
  let file = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cqlog-noisy-'));
    file = path.join(dir, 'serverstatus.log');
    const g = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'tools', 'generate-big.js'), '--size', '20MB', '--seed', '7', '--incident', '--out', file], { encoding: 'utf8' });
    expect(g.status, g.stderr).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives exactly one collision and no false warnings', () => {
    const a = JSON.parse(runCli(['analyze', '--json', file]).stdout);
    expect(a.collisions).toHaveLength(1);
    expect(a.collisions[0]).toMatchObject({ oldValue: '123456782', refusedValue: '12345678', cause: 'phantom-from-failed-retrieve' });
    expect(a.warnings).toHaveLength(0);
  });
});
