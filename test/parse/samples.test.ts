/**
 * One sample log per prefix shape (samples/prefixes, written by this project after reference §4.3),
 * each read through the real pipeline: times, shapes, no `unknown` kinds, no input problems.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEvents, type IngestOptions } from '../../src/pipeline/readEvents.js';
import { parsePrefix } from '../../src/parse/prefix.js';
import type { InputProblem, LogEvent } from '../../src/parse/event.js';
import { SAMPLES } from '../helpers.js';

const DIR = path.join(SAMPLES, 'prefixes');

async function read(file: string, opts: IngestOptions = {}): Promise<{ events: LogEvent[]; problems: InputProblem[] }> {
  const events: LogEvent[] = [];
  const problems: InputProblem[] = [];
  await readEvents([path.join(DIR, file)], opts, (e) => events.push(e), (p) => problems.push(p));
  return { events, problems };
}

/** The producer (§1.3) of each physical line, by its prefix: P1..P4, syslog, or none. */
function producer(line: string): string {
  const p = parsePrefix(line);
  if (p.shape === 'win') return p.pacsName === undefined ? 'P1' : 'P4';
  if (p.shape === 'ctime') return p.pacsName === undefined ? 'P2' : 'P4';
  if (p.shape === 'gui') return 'P3';
  return p.shape;
}

/** Producers of a file's lines, consecutive repeats collapsed. */
function runs(file: string): string[] {
  const text = readFileSync(path.join(DIR, file), 'latin1');
  const out: string[] = [];
  for (const l of text.split(/\r?\n/).slice(0, -1)) {
    const p = producer(l);
    if (out[out.length - 1] !== p) out.push(p);
  }
  return out;
}

interface Case {
  file: string;
  eol: '\r\n' | '\n';
  runs: string[];
  first: string | null;
  last: string | null;
  /** `[PACSName]` on every event, on none, or on some (GUI-own lines have none). */
  pacsName: 'all' | 'none' | 'some';
  /** Times that must occur (checks the shape's date reading). */
  has?: string[];
}

const CASES: Case[] = [
  { file: 'windows-dgate.log', eol: '\r\n', runs: ['P1'], first: '2020-07-22T14:02:58', last: '2020-07-23T09:15:45', pacsName: 'none' },
  { file: 'linux-ctime.log', eol: '\n', runs: ['P2'], first: '2026-11-06T19:30:00', last: '2026-11-06T19:32:50', pacsName: 'none' },
  // Starts with ambiguous dates (12-7-2020) that must be read day-first once 13-7-2020 shows the order.
  { file: 'gui-nl.log', eol: '\r\n', runs: ['P3'], first: '2020-07-12T23:58:00', last: '2020-07-13T08:01:27', pacsName: 'some' },
  { file: 'gui-us.log', eol: '\r\n', runs: ['P3'], first: '2020-07-22T00:00:04', last: '2020-07-22T14:03:27', pacsName: 'all', has: ['2020-07-22T11:59:58', '2020-07-22T12:00:01'] },
  { file: 'gui-ymd.log', eol: '\r\n', runs: ['P3'], first: '2024-04-26T13:53:38', last: '2024-04-26T13:53:53', pacsName: 'all' },
  { file: 'gui-de.log', eol: '\r\n', runs: ['P3'], first: '2022-10-22T22:38:40', last: '2022-10-22T22:39:22', pacsName: 'all' },
  { file: 'p4-sticky-prefix.log', eol: '\r\n', runs: ['P4'], first: '2020-07-22T18:00:02', last: '2020-07-22T18:05:22', pacsName: 'all' },
  { file: 'journald.log', eol: '\n', runs: ['syslog'], first: '2026-11-27T19:36:16', last: '2026-11-27T19:36:25', pacsName: 'none' },
  { file: 'untimestamped-v.log', eol: '\n', runs: ['none'], first: null, last: null, pacsName: 'none' },
  { file: 'mixed.log', eol: '\r\n', runs: ['P1', 'P3', 'P4'], first: '2020-07-22T08:00:00', last: '2020-07-22T17:05:22', pacsName: 'some' },
];

describe('samples/prefixes', () => {
  for (const c of CASES) {
    describe(c.file, () => {
      it('is a small log with the line endings of its producer', () => {
        const raw = readFileSync(path.join(DIR, c.file), 'latin1');
        const n = raw.split('\n').length - 1;
        expect(n).toBeGreaterThanOrEqual(10);
        expect(n).toBeLessThanOrEqual(40);
        expect(raw.endsWith(c.eol)).toBe(true);
        expect(raw.split('\r\n').length - 1).toBe(c.eol === '\r\n' ? n : 0);
      });

      it('has the prefix shapes it is named for', () => {
        expect(runs(c.file)).toEqual(c.runs);
      });

      it('reads through the pipeline with its times, no unknown kinds and no problems', async () => {
        const { events, problems } = await read(c.file);
        expect(problems).toEqual([]);
        const lineCount = readFileSync(path.join(DIR, c.file), 'latin1').split('\n').length - 1;
        expect(events).toHaveLength(lineCount); // one line, one event: no continuations in these samples
        expect(events.filter((e) => e.kind === 'unknown').map((e) => e.text)).toEqual([]);
        expect(events[0]!.time).toBe(c.first);
        expect(events[events.length - 1]!.time).toBe(c.last);
        const times = events.map((e) => e.time);
        if (c.first === null) expect(times.every((t) => t === null)).toBe(true);
        else {
          expect(times.every((t) => t !== null && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(t))).toBe(true);
          expect([...times].sort()).toEqual(times); // the samples never step back
        }
        for (const t of c.has ?? []) expect(times).toContain(t);
        const named = events.filter((e) => e.fields.pacsName !== undefined).length;
        if (c.pacsName === 'all') expect(named).toBe(events.length);
        else if (c.pacsName === 'none') expect(named).toBe(0);
        else expect(named > 0 && named < events.length).toBe(true);
        expect(events.filter((e) => e.kind === 'blank').length).toBe(events.filter((e) => e.kind === 'thread-start').length);
      });
    });
  }

  it('gives --tz offsets to sample times', async () => {
    const { events } = await read('windows-dgate.log', { tz: 'Europe/Amsterdam' });
    expect(events[0]!.time).toBe('2020-07-22T14:02:58+02:00');
  });

  it('reads the mixed file producer by producer (§1.3)', async () => {
    const { events } = await read('mixed.log');
    const byText = (t: string) => events.find((e) => e.text === t)!;
    expect(byText('set normal log from GUI')).toMatchObject({ time: '2020-07-22T09:00:00', kind: 'gui-command' });
    expect(byText('set normal log from GUI').fields.pacsName).toBeUndefined();
    expect(byText('TestMode: 0').fields.pacsName).toBeUndefined(); // a GUI-own line
    expect(byText('set normal log directly to file from GUI')).toMatchObject({ time: '2020-07-22T17:00:00', fields: { pacsName: 'CONQUESTSRV1' } });
    expect(events.find((e) => e.kind === 'host-refused')).toMatchObject({ time: '2020-07-22T17:05:22', fields: { pacsName: 'CONQUESTSRV1' } });
  });

  it('reads the ambiguous GUI dates in --date-order mdy when forced', async () => {
    const { events } = await read('gui-nl.log', { dateOrder: 'mdy' });
    expect(events[0]!.time).toBe('2020-12-07T23:58:00');
  });
});
