/**
 * `cqlog tail` end to end (issue 4, item 7): a writer that behaves like dgate (open-append-close per
 * line, CRLF, zip-and-delete at ZipTime) feeds the incident of reference §7 across rotations; the tail
 * runs as `--once` steps, as a long-running process killed with SIGKILL, and restarted.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ndjson, REAL, runCli } from '../helpers.js';
import { PlanBuilder, startWriter, writeSteps } from '../alert/scenario.js';
import { readZipEntry } from '../store/helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cqlog-tail-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface AlertOut {
  id: string;
  kind: string;
  time: string | null;
  source: string;
  line: number;
  text: string;
  notice?: string;
  lines?: number;
  collision?: { id: string; oldValue: string; refusedValue: string; cause: string; remediation: string[] };
  warning?: { id: string; destinationAe: string; remediation: string[] };
}

function scenario(dir: string, rotations = 1): { plan: string; b: PlanBuilder; marks: Record<string, number> } {
  const b = new PlanBuilder(dir);
  const marks: Record<string, number> = {};
  b.filler(40);
  marks.beforeMove = b.steps.length;
  b.failedMove();
  b.filler(30);
  marks.beforeRotate = b.steps.length;
  b.rotate();
  marks.afterRotate = b.steps.length; // zipped and deleted; the new file is not there yet
  b.filler(20);
  marks.beforePush = b.steps.length;
  b.refusedPush();
  b.filler(15);
  for (let r = 1; r < rotations; r++) {
    b.rotate();
    b.filler(25);
    b.refusedPush();
  }
  return { plan: b.write(), b, marks };
}

const env = { CQLOG_STATE_DIR: path.join(tmp, 'state-default'), CQLOG_REDACT_KEY: 'k'.repeat(40) };

function once(dir: string, state: string, extra: string[] = []): AlertOut[] {
  const r = runCli(['tail', dir, '--once', '--json', '--state', state, '--alert', 'error', ...extra], { env });
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.code).toBe(0);
  return ndjson<AlertOut>(r.stdout);
}


const alertsOf = (out: AlertOut[]): AlertOut[] => out.filter((o) => o.notice === undefined);
const distinct = (out: AlertOut[], kind: string): Set<string> => new Set(alertsOf(out).filter((a) => a.kind === kind).map((a) => a.id));
const summary = (out: AlertOut[]): AlertOut => out.find((o) => o.notice === 'summary')!;

function check(all: AlertOut[], lines: number, finalSummary: AlertOut): void {
  expect(distinct(all, 'phantom-risk').size).toBe(1);
  expect(distinct(all, 'collision').size).toBe(1);
  // Every *** line once: 2 refusals + 2 SQL errors per refused push, each a distinct id.
  const errors = alertsOf(all).filter((a) => a.kind === 'error');
  expect(new Set(errors.map((e) => e.text)).size).toBe(3); // one refusal text, two distinct SQL error texts
  expect(finalSummary.lines).toBe(lines);
  expect(all.filter((o) => o.notice === 'input-gap')).toEqual([]);
  const c = alertsOf(all).find((a) => a.kind === 'collision')!;
  expect(c.collision!.oldValue).toBe('123456782');
  expect(c.collision!.refusedValue).toBe('12345678');
  // Explained at once, wherever the tail was when the log was zipped (the failed move may lie in the
  // live log's earlier reading, whose line numbers are higher than the refusal's).
  expect(c.collision!.cause).toBe('phantom-from-failed-retrieve');
  expect(alertsOf(all).find((a) => a.kind === 'phantom-risk')!.warning!.destinationAe).toMatch(/WS2/);
  // An alert tells what to do, as analyze would.
  expect(c.collision!.remediation.length).toBeGreaterThan(0);
  expect(alertsOf(all).find((a) => a.kind === 'phantom-risk')!.warning!.remediation.some((x) => x.startsWith('Check the move destination'))).toBe(true);
}

describe('cqlog tail --once across a rotation', () => {
  it('sees every line once and alerts once, whatever the tail was doing when the zip happened', () => {
    const points = ['beforeMove', 'beforeRotate', 'afterRotate', 'beforePush'] as const;
    // Tail runs at different points: down across the rotation, between the zip and the new file, after.
    for (const stops of [[], ['beforeRotate'], ['afterRotate'], ['beforeMove', 'afterRotate', 'beforePush'], [...points]] as string[][]) {
      const dir = path.join(tmp, `once-${stops.join('-') || 'none'}`);
      const { plan, b, marks } = scenario(dir);
      const state = path.join(tmp, `once-${stops.join('-') || 'none'}.state.json`);
      const all: AlertOut[] = [];
      // The first run comes before any line: it starts at the start of the file that will appear.
      mkdirSync(dir, { recursive: true });
      all.push(...once(dir, state));
      let at = 0;
      for (const p of [...stops.map((s) => marks[s]!), b.steps.length]) {
        writeSteps(plan, at, p);
        at = p;
        all.push(...once(dir, state));
      }
      // Running again finds nothing new.
      const again = once(dir, state);
      expect(alertsOf(again)).toEqual([]);
      check(all, b.lines, summary(again));
      // The refusals came from the new live file; lines before the rotation are read from the zip when missed.
      const coll = alertsOf(all).find((a) => a.kind === 'collision')!;
      expect(coll.source).toBe(`${dir.replace(/\\/g, '/')}/serverstatus.log`);
      const risk = alertsOf(all).find((a) => a.kind === 'phantom-risk')!;
      if (stops.includes('beforeRotate') && !stops.includes('beforeMove')) expect(risk.source).toBe(`${dir.replace(/\\/g, '/')}/serverstatus.log`);
      if (stops.length === 0) expect(risk.source).toMatch(/logs\/logs_\d{8}\.zip!serverstatus\.log$/);
    }
  });

  it('a first run without --from-start starts at the end of the live file', () => {
    const dir = path.join(tmp, 'end');
    const { plan, b, marks } = scenario(dir);
    const state = path.join(tmp, 'end.state.json');
    writeSteps(plan, 0, marks.beforeRotate!);
    const first = once(dir, state);
    expect(alertsOf(first)).toEqual([]); // the failed move is history
    writeSteps(plan, marks.beforeRotate!, b.steps.length);
    const rest = once(dir, state);
    // The collision is new; the engine knew the failed move from the warm-up, so no phantom-risk alert now.
    expect(distinct(rest, 'collision').size).toBe(1);
    expect(distinct(rest, 'phantom-risk').size).toBe(0);
  });

  it('keeps its state in the per-user state folder when --state is not given', () => {
    const dir = path.join(tmp, 'default-state');
    const { plan, b } = scenario(dir);
    writeSteps(plan, 0, b.steps.length);
    const r1 = runCli(['tail', dir, '--once', '--json', '--from-start'], { env });
    expect(r1.code).toBe(0);
    const s = ndjson<AlertOut & { state: string }>(r1.stdout).find((o) => o.notice === 'summary')!;
    expect(path.dirname(s.state)).toBe(env.CQLOG_STATE_DIR);
    expect(path.basename(s.state)).toMatch(/^tail-[0-9a-f]{16}\.json$/);
    const r2 = runCli(['tail', dir, '--once', '--json'], { env });
    expect(alertsOf(ndjson(r2.stdout))).toEqual([]);
  });

  it('--redact learns IDs from every event read, not only from the alerted ones', () => {
    const dir = path.join(tmp, 'redact-learn');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'serverstatus.log'),
      'Fri Nov 27 09:00:01 2026 Written file: /opt/conquest/data/87654321/1.2.3_0001_000001_17956851630001.dcm\n' +
        'Fri Nov 27 09:00:02 2026 ***Something failed for 87654321\n',
    );
    const r = runCli(['tail', dir, '--once', '--json', '--from-start', '--redact', '--alert', 'error', '--state', path.join(dir, 'st.json')], { env });
    expect(r.code).toBe(0);
    const alerts = alertsOf(ndjson(r.stdout));
    expect(alerts).toHaveLength(1);
    expect(r.stdout).not.toContain('87654321');
    expect(r.stdout).toMatch(/Something failed for P-[0-9a-f]{8}/);
    // The state keeps raw IDs (README, State): only its owner may read it.
    if (process.platform !== 'win32') expect(statSync(path.join(dir, 'st.json')).mode & 0o077).toBe(0);
  });

  it('reports a gap when the old file vanished without a zip', () => {
    const dir = path.join(tmp, 'gap');
    const b = new PlanBuilder(dir);
    b.filler(20);
    const mid = b.steps.length;
    b.filler(10);
    const plan = b.write();
    const state = path.join(tmp, 'gap.state.json');
    writeSteps(plan, 0, mid);
    once(dir, state, ['--from-start']);
    writeSteps(plan, mid, b.steps.length); // more lines the tail does not read …
    rmSync(path.join(dir, 'serverstatus.log')); // … then deleted without zipping
    const b2 = new PlanBuilder(dir, Date.UTC(2026, 10, 28, 6, 0, 0) / 1000);
    b2.filler(5);
    const plan2 = b2.write();
    writeSteps(plan2, 0, b2.steps.length);
    const r = runCli(['tail', dir, '--once', '--json', '--state', state], { env });
    const gaps = ndjson<AlertOut & { fromLine: number; proven: boolean }>(r.stdout).filter((o) => o.notice === 'input-gap');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.fromLine).toBe(21);
    expect(r.stderr).toMatch(/no logs\/\*\.zip holds it/);
  });
});

describe('the genuine rotation (dgate-real/s6-zip-rotation)', () => {
  it('finds the old file in the real 7za zip by its first bytes and reads only what it had not read', async () => {
    const real = path.join(REAL, 's6-zip-rotation', 'router');
    const zipped = await readZipEntry(path.join(real, 'logs', 'logs_20261127.zip'), 'serverstatus.log');
    const dir = path.join(tmp, 's6');
    mkdirSync(dir, { recursive: true });
    const state = path.join(tmp, 's6.json');
    const cut = zipped.indexOf(10, Math.floor(zipped.length / 2)) + 1;
    writeFileSync(path.join(dir, 'serverstatus.log'), zipped.subarray(0, cut)); // the live file as the tail last saw it
    const r1 = once(dir, state, ['--from-start']);
    const count = (b: Buffer): number => b.toString('latin1').split('\n').length - 1;
    expect(summary(r1).lines).toBe(count(zipped.subarray(0, cut)));
    // Down across ZipTime: the rest went into the zip, the new file starts with the notice.
    mkdirSync(path.join(dir, 'logs'));
    copyFileSync(path.join(real, 'logs', 'logs_20261127.zip'), path.join(dir, 'logs', 'logs_20261127.zip'));
    copyFileSync(path.join(real, 'serverstatus.log'), path.join(dir, 'serverstatus.log'));
    const r2 = once(dir, state);
    expect(r2.filter((o) => o.notice === 'input-gap')).toEqual([]);
    expect(summary(r2).lines).toBe(count(zipped) + count(readFileSync(path.join(real, 'serverstatus.log'))));
  });
});

describe('cqlog tail killed with SIGKILL and restarted', () => {
  it('still alerts once per finding and counts every line once', async () => {
    const dir = path.join(tmp, 'kill');
    const { plan, b } = scenario(dir, 3);
    const state = path.join(tmp, 'kill.state.json');
    mkdirSync(dir, { recursive: true });
    once(dir, state); // the first run, before any line (a first run would take existing zips for history)
    const writer = startWriter(plan, 0, b.steps.length, 80);
    let finished = false;
    void writer.done.then(() => (finished = true));
    const all: AlertOut[] = [];
    let round = 0;
    while (!finished || round < 2) {
      const child = spawn(process.execPath, [BIN, 'tail', dir, '--json', '--state', state, '--alert', 'error', '--from-start'], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
      const closed = new Promise<void>((r) => child.on('close', () => r()));
      await new Promise((r) => setTimeout(r, 250 + ((round * 397) % 600)));
      child.kill('SIGKILL');
      await closed;
      // What a killed tail printed may end mid-line.
      all.push(...out.split('\n').filter((l) => l.endsWith('}')).map((l) => JSON.parse(l) as AlertOut));
      round++;
      if (round > 200) throw new Error('writer never finished');
    }
    await writer.done;
    expect(round).toBeGreaterThanOrEqual(3);
    const last = once(dir, state);
    all.push(...last);
    check3(all, b.lines, summary(last));
  });
});

function check3(all: AlertOut[], lines: number, s: AlertOut): void {
  expect(distinct(all, 'phantom-risk').size).toBe(1);
  expect(distinct(all, 'collision').size).toBe(1);
  // 3 refused pushes × (2 refusals + 2 SQL errors), all within distinct seconds or numbered: 12 distinct error ids.
  expect(distinct(all, 'error').size).toBe(12);
  expect(s.lines).toBe(lines);
  expect(all.filter((o) => o.notice === 'input-gap')).toEqual([]);
}

