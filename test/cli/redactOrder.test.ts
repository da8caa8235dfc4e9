/**
 * `--redact` does not depend on line order: an ID named only in the text of an early line is
 * redacted when a later line (or a stored finding) reveals it as a patient's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, ndjson, runCli, SAMPLES } from '../helpers.js';
import { tmp } from '../store/helpers.js';

const env = { CQLOG_REDACT_KEY: 'redact-order-test-key' };
const ID = 'QX778899';
let dir: string;
let log: string;

beforeAll(() => {
  dir = tmp('cqlog-redact-order-');
  log = path.join(dir, 'serverstatus.log');
  writeFileSync(
    log,
    [
      `Fri Nov 27 19:30:00 2026 operator note: check ${ID} with the ward`,
      `Fri Nov 27 19:31:10 2026 Written file: /opt/conquest/data/${ID}/1.3.46.670589.5.2.10.2156913941.892665339.860724_0001_002000_17958078700000.dcm`,
      '',
    ].join('\n'),
  );
});

describe('--redact is independent of line order', () => {
  it('events: an ID that only a later line names as a patient is redacted in the lines before it', () => {
    const r = runCli(['events', '--redact', '--json', log], { env });
    expect(r.code).toBe(0);
    const events = ndjson(r.stdout);
    expect(events).toHaveLength(2);
    expect(r.stdout).not.toContain(ID);
    // The same pseudonym in both lines.
    const p = /P-[0-9a-f]{8}/.exec(String(events[1]!.text))![0];
    expect(String(events[0]!.text)).toBe(`operator note: check ${p} with the ward`);
    // --kind selects what is printed, not what is learned.
    const only = runCli(['events', '--redact', log, '--kind', 'unknown'], { env });
    expect(only.stdout).toContain(`check ${p} with`);
  });

  it('events from standard input say that they redact in stream order; files given with it are still learned first', () => {
    const r = runCli(['events', '--redact', '-'], { env, input: `Fri Nov 27 19:30:00 2026 note ${ID}\n` });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/learns identifiers as it goes on standard input/);
    const both = runCli(['events', '--redact', '-', log], { env, input: 'Fri Nov 27 19:29:00 2026 C-Echo\n' });
    expect(both.code).toBe(0);
    expect(both.stdout.trim().split('\n')).toHaveLength(3);
    expect(both.stdout).not.toContain(ID);
  });

  it.skipIf(process.platform === 'win32')('events on a pipe given by path (/dev/stdin) print every line once, learning as they go', () => {
    // A shell pipe (a test harness's stdin is a socket, which /dev/stdin cannot reopen).
    const input =
      "Fri Nov 27 19:30:00 2026 ***Refused to enter inconsistent link PatientID into DICOMStudies: PatientID = 'AB77Q' StudyInsta = '1.2.3', Old='QQ55R', Refused='AB77Q'\n" +
      'Fri Nov 27 19:30:01 2026 note about QQ55R and 123456782\n';
    const r = spawnSync('sh', ['-c', 'printf "%s" "$IN" | "$NODE" "$BIN" events --redact /dev/stdin'], {
      env: { ...process.env, ...env, IN: input, NODE: process.execPath, BIN },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
    expect(r.stderr).toMatch(/learns identifiers as it goes on \/dev\/stdin \(read once\)/);
    // What the first line taught is redacted in the second, and a BSN by its shape.
    for (const id of ['AB77Q', 'QQ55R', '123456782']) expect(r.stdout).not.toContain(id);
    expect(r.stdout.trim().split('\n')[1]).toMatch(/note about P-[0-9a-f]{8} and P-[0-9a-f]{8}$/);
  });

  it('search: a hit is redacted when only a later hit names its patient', () => {
    const db = path.join(dir, 'order.sqlite');
    expect(runCli(['index', '--db', db, log]).code).toBe(0);
    const r = runCli(['search', '--db', db, ID, '--redact'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
    expect(r.stdout).not.toContain(ID);
  });

  it('search: the IDs of stored collisions are redacted in hits that do not name them as a field', () => {
    const db = path.join(dir, 'findings.sqlite');
    expect(runCli(['index', '--db', db, path.join(SAMPLES, 'incident')]).code).toBe(0);
    writeFileSync(path.join(dir, 'note.log'), 'Fri Nov 27 19:40:00 2026 operator remark: call back about 12345678\n');
    expect(runCli(['index', '--db', db, path.join(dir, 'note.log')]).code).toBe(0);
    const plain = runCli(['search', '--db', db, 'remark'], { env });
    expect(plain.stdout).toContain('12345678');
    const r = runCli(['search', '--db', db, 'remark', '--redact'], { env });
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).not.toContain('12345678');
    expect(r.stdout).toMatch(/call back about P-[0-9a-f]{8}/);
  });
});
