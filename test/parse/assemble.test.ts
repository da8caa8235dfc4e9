/**
 * Physical lines → events (issue 2 item 3): continuations, glued lines, mixed shapes, GUI date
 * order, syslog years, --tz and clock jumps, exact line numbers and byte offsets.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventAssembler, MAX_CONTINUATION_LINES, MAX_EVENT_CHARS, MAX_HELD_EVENTS, type AssembleOptions } from '../../src/parse/assemble.js';
import type { InputProblem, LogEvent } from '../../src/parse/event.js';
import { LineSplitter } from '../../src/source/lines.js';
import { readEvents } from '../../src/pipeline/readEvents.js';
import { REAL } from '../helpers.js';

interface Run {
  events: LogEvent[];
  problems: InputProblem[];
}

/** Splits bytes into lines exactly as the pipeline does and assembles them. */
function run(text: string | Buffer, opts: AssembleOptions = {}): Run {
  const events: LogEvent[] = [];
  const problems: InputProblem[] = [];
  const a = new EventAssembler('t.log', opts, (e) => events.push(e), (p) => problems.push(p));
  const enc = opts.encoding ?? 'latin1';
  const buf = typeof text === 'string' ? Buffer.from(text, enc) : text;
  const split = new LineSplitter('t.log', (b, s, e, off, no) => a.line(b.toString(enc, s, e), off, no), (p) => problems.push(p));
  split.push(buf);
  split.end();
  a.end();
  return { events, problems };
}

const lines = (...l: string[]) => l.join('\n') + '\n';
const crlf = (...l: string[]) => l.join('\r\n') + '\r\n';
const brief = (e: LogEvent) => [e.line, e.offset, e.time, e.kind, e.text];
/** Byte offset of the n-th (1-based) line of a text. */
function offsetOfLine(text: string, n: number): number {
  let off = 0;
  for (let i = 1; i < n; i++) off = text.indexOf('\n', off) + 1;
  return off;
}

describe('continuation lines', () => {
  it('joins bare lines to the message before them, keeping its line and offset', () => {
    const text = lines(
      '20200722 14:03:05 ***Error connecting: WS1 127.0.0.1/5678',
      'Retrying',
      '20200722 14:03:06 ***SQL error: ERROR:  duplicate key value violates unique constraint "x"',
      'DETAIL:  Key (studyinsta)=(1.2.3) already exists.',
      '',
      '20200722 14:03:07 C-Echo',
    );
    const { events, problems } = run(text);
    expect(problems).toEqual([]);
    expect(events.map(brief)).toEqual([
      [1, 0, '2020-07-22T14:03:05', events[0]!.kind, '***Error connecting: WS1 127.0.0.1/5678\nRetrying'],
      [3, offsetOfLine(text, 3), '2020-07-22T14:03:06', events[1]!.kind, '***SQL error: ERROR:  duplicate key value violates unique constraint "x"\nDETAIL:  Key (studyinsta)=(1.2.3) already exists.\n'],
      [6, offsetOfLine(text, 6), '2020-07-22T14:03:07', 'c-echo', 'C-Echo'],
    ]);
  });

  it('ends an event after MAX_CONTINUATION_LINES lines or MAX_EVENT_CHARS characters; the rest inherit its time', () => {
    const many = run(lines('20200722 14:03:05 ***Error connecting: x', ...Array.from({ length: MAX_CONTINUATION_LINES + 5 }, (_, i) => `Retrying ${i}`)));
    expect(many.events.map((e) => [e.line, e.time])).toEqual([
      [1, '2020-07-22T14:03:05'],
      [MAX_CONTINUATION_LINES + 1, '2020-07-22T14:03:05'], // a new event, which the last lines continue
    ]);
    const chunk = 'q'.repeat(100_000);
    const n = Math.ceil(MAX_EVENT_CHARS / chunk.length) + 2;
    const big = run(lines('20200722 14:03:05 ***Error connecting: x', ...Array.from({ length: n }, () => chunk)));
    expect(big.events.length).toBeGreaterThan(1);
    for (const e of big.events) expect(e.text.length).toBeLessThanOrEqual(MAX_EVENT_CHARS);
    expect(big.events[1]).toMatchObject({ line: big.events[1]!.line, time: '2020-07-22T14:03:05' });
    expect(big.events.map((e) => e.text).join('\n')).toBe(['***Error connecting: x', ...Array.from({ length: n }, () => chunk)].join('\n'));
  });

  it('starts from a resumed place: a start order the dates may override, and an inherited time', () => {
    const r = run(lines('Retrying', '1-2-2020 10:00:00 ambiguous', '22-7-2020 10:00:01 day first'), { startOrder: 'mdy', inheritTime: '2020-01-01T09:00:00' });
    expect(r.events.map((e) => [e.line, e.time])).toEqual([
      [1, '2020-01-01T09:00:00'],
      [2, '2020-01-02T10:00:00'],
      [3, '2020-07-22T10:00:01'],
    ]);
  });

  it('makes a bare line that is a known message an event of its own, at the time before it', () => {
    const { events } = run(lines('Wed Jul 22 14:03:05 2020 Written file: /data/X/a.dcm', "Host 'WS2' did not accept the connection"));
    expect(events.map((e) => [e.line, e.time, e.kind])).toEqual([
      [1, '2020-07-22T14:03:05', 'written-file'],
      [2, '2020-07-22T14:03:05', 'host-refused'],
    ]);
  });

  it('reads `\\n***Client Error` as one event at the timestamp-only line (§1.6)', () => {
    const text = lines(
      '20200722 14:03:05 C-Echo',
      '20200722 14:03:06 ',
      '***Client Error: command 0fff failed **',
      '20200722 14:03:06 ***Connection Terminated',
    );
    const { events } = run(text);
    expect(events.map(brief)).toEqual([
      [1, 0, '2020-07-22T14:03:05', 'c-echo', 'C-Echo'],
      [2, offsetOfLine(text, 2), '2020-07-22T14:03:06', 'client-error', '***Client Error: command 0fff failed **'],
      [4, offsetOfLine(text, 4), '2020-07-22T14:03:06', 'connection-aborted', '***Connection Terminated'],
    ]);
    expect(events[1]!.fields).toMatchObject({ command: '0fff' });
  });

  it('makes the timestamp-only line before UPACS THREAD a `blank` event', () => {
    const { events } = run(lines('20200722 14:03:05 ', '20200722 14:03:05 UPACS THREAD 12: STARTED AT: Wed Jul 22 14:03:05 2020'));
    expect(events.map((e) => [e.kind, e.text, e.time])).toEqual([
      ['blank', '', '2020-07-22T14:03:05'],
      ['thread-start', 'UPACS THREAD 12: STARTED AT: Wed Jul 22 14:03:05 2020', '2020-07-22T14:03:05'],
    ]);
  });

  it('does not split a bare ctime argument that ends a line', () => {
    const { events } = run(lines('20200722 14:03:05 Written file: a.dcm', 'UPACS THREAD 1: STARTED AT: Fri Nov 27 19:36:24 2026'));
    expect(events.map((e) => e.kind)).toEqual(['written-file', 'thread-start']);
    expect(events[1]!.time).toBe('2020-07-22T14:03:05');
  });
});

describe('glued lines (§1.6)', () => {
  it('splits the genuine s4b debug line into two events with exact offsets', async () => {
    const file = path.join(REAL, 's4b-unknown-ae-debug', 'router', 'serverstatus.log');
    const bytes = readFileSync(file);
    const events: LogEvent[] = [];
    const problems: InputProblem[] = [];
    await readEvents([file], {}, (e) => events.push(e), (p) => problems.push(p));
    expect(problems).toEqual([]);
    const i = events.findIndex((e) => e.text.startsWith('Retrieve: move destination not allowed or known'));
    const retrieve = events[i]!;
    const move = events[i + 1]!;
    const lineStart = bytes.indexOf('\n: NOSUCHAE') + 1;
    expect(retrieve).toMatchObject({
      line: 16,
      offset: bytes.indexOf('Fri Nov 27 19:36:24 2026 Retrieve: move destination'),
      time: '2026-11-27T19:36:24',
      kind: 'move-destination-unknown',
      text: 'Retrieve: move destination not allowed or known\n: NOSUCHAE',
      fields: { destination: 'NOSUCHAE' },
    });
    expect(move).toMatchObject({ line: 17, offset: lineStart + ': NOSUCHAE'.length, time: '2026-11-27T19:36:24', kind: 'move-done', text: 'C-Move (PatientRoot)' });
    expect(bytes.toString('latin1', move.offset, move.offset + 24)).toBe('Fri Nov 27 19:36:24 2026');
    // Every event's offset points at the start of its own line (or glued prefix) in the file.
    for (const e of events) {
      if (e.time === null) continue;
      expect(bytes.toString('latin1', e.offset, e.offset + 24), `line ${e.line}`).toBe('Fri Nov 27 ' + e.time.slice(11, 19) + ' 2026');
    }
  });

  it('splits a Windows-prefix glued line in a CRLF file', () => {
    const text = crlf(
      '20200722 14:03:05 \tC-Move Destination: "WRONGAE"',
      '20200722 14:03:05 Retrieve: move destination not allowed or known',
      ': WRONGAE20200722 14:03:05 C-Move (StudyRoot)',
      '20200722 14:03:05 UPACS THREAD 7: ENDED AT: Wed Jul 22 14:03:05 2020',
    );
    const { events, problems } = run(text);
    expect(problems).toEqual([]);
    const l3 = text.indexOf(': WRONGAE');
    expect(events.map(brief)).toEqual([
      [1, 0, '2020-07-22T14:03:05', 'move-destination', '\tC-Move Destination: "WRONGAE"'],
      [2, text.indexOf('20200722 14:03:05 Retrieve'), '2020-07-22T14:03:05', 'move-destination-unknown', 'Retrieve: move destination not allowed or known\n: WRONGAE'],
      [3, l3 + 9, '2020-07-22T14:03:05', 'move-done', 'C-Move (StudyRoot)'],
      [4, text.indexOf('20200722 14:03:05 UPACS'), '2020-07-22T14:03:05', 'thread-end', 'UPACS THREAD 7: ENDED AT: Wed Jul 22 14:03:05 2020'],
    ]);
    expect(events[1]!.fields).toMatchObject({ destination: 'WRONGAE' });
  });

  it('keeps a P4 [PACSName] with the glued message', () => {
    const { events } = run(lines('[SRV] 20200722 14:03:05 Retrieve: move destination not allowed or known', ': WS2 [SRV] 20200722 14:03:06 C-Move (PatientRoot)'));
    expect(events.map((e) => [e.line, e.time, e.kind, e.fields.pacsName])).toEqual([
      [1, '2020-07-22T14:03:05', 'move-destination-unknown', 'SRV'],
      [2, '2020-07-22T14:03:06', 'move-done', 'SRV'],
    ]);
  });

  it('splits a message glued to the same prefixed line after an unterminated message', () => {
    const text = lines('20200722 14:03:05 *** HL7 import: cannot open database20200722 14:03:06 C-Echo');
    const { events } = run(text);
    expect(events.map(brief)).toEqual([
      [1, 0, '2020-07-22T14:03:05', events[0]!.kind, '*** HL7 import: cannot open database'],
      [1, text.indexOf('20200722 14:03:06'), '2020-07-22T14:03:06', 'c-echo', 'C-Echo'],
    ]);
  });

  it('counts the glued offset in bytes when lines are read as UTF-8', () => {
    const text = lines('20200722 14:03:05 Retrieve: move destination not allowed or known', ': ÄÖ20200722 14:03:05 C-Move (StudyRoot)');
    const { events } = run(text, { encoding: 'utf8' });
    const bytes = Buffer.from(text, 'utf8');
    expect(events[1]!.offset).toBe(bytes.indexOf('20200722 14:03:05 C-Move'));
  });
});

describe('mixed shapes in one file (§1.3)', () => {
  it('reads P1, P3 (with GUI-own lines) and P4 lines in sequence', () => {
    const text = crlf(
      '20200722 14:03:05 Written file: D:\\data\\X\\a.dcm',
      '22-7-2020 14:05:00 [CONQUESTSRV1] set normal log from GUI',
      '22-7-2020 14:05:01 The server is not running properly - maybe the SQL server is not (yet) up',
      '22-7-2020 14:05:02 [CONQUESTSRV1] \tCalling Application Title : "CT01            "',
      '[CONQUESTSRV1] 20200722 14:06:00 Written file: D:\\data\\X\\b.dcm',
      'Wed Jul 22 14:07:00 2020 C-Echo',
    );
    const { events, problems } = run(text);
    expect(problems).toEqual([]);
    expect(events.map((e) => [e.line, e.offset, e.time, e.fields.pacsName])).toEqual([
      [1, 0, '2020-07-22T14:03:05', undefined],
      [2, offsetOfLine(text, 2), '2020-07-22T14:05:00', 'CONQUESTSRV1'],
      [3, offsetOfLine(text, 3), '2020-07-22T14:05:01', undefined],
      [4, offsetOfLine(text, 4), '2020-07-22T14:05:02', 'CONQUESTSRV1'],
      [5, offsetOfLine(text, 5), '2020-07-22T14:06:00', 'CONQUESTSRV1'],
      [6, offsetOfLine(text, 6), '2020-07-22T14:07:00', undefined],
    ]);
    expect(events.map((e) => e.kind)).toEqual(['written-file', 'gui-command', events[2]!.kind, 'calling-ae', 'written-file', 'c-echo']);
  });
});

describe('GUI day/month order', () => {
  it('holds ambiguous lines until the evidence comes, then reads them all in that order', () => {
    const { events, problems } = run(
      lines('5-6-2020 09:00:00 [X] C-Echo', '20200605 09:00:01 C-Echo', '5-6-2020 09:00:02 [X] C-Echo', '13-6-2020 09:00:03 [X] C-Echo', '5-7-2020 09:00:04 [X] C-Echo'),
    );
    expect(problems).toEqual([]);
    expect(events.map((e) => [e.line, e.time])).toEqual([
      [1, '2020-06-05T09:00:00'],
      [2, '2020-06-05T09:00:01'],
      [3, '2020-06-05T09:00:02'],
      [4, '2020-06-13T09:00:03'],
      [5, '2020-07-05T09:00:04'],
    ]);
  });

  it('reads held lines month-first when the evidence is month-first', () => {
    const { events, problems } = run(lines('5/6/2020 9:00:00 AM [X] C-Echo', '5/6/2020 9:00:01 AM [X] C-Echo', '5/13/2020 9:00:02 AM [X] C-Echo'));
    expect(problems).toEqual([]);
    expect(events.map((e) => e.time)).toEqual(['2020-05-06T09:00:00', '2020-05-06T09:00:01', '2020-05-13T09:00:02']);
  });

  it('falls back to the prior for an ambiguous-only file and reports it once', () => {
    const dmy = run(lines('5-6-2020 09:00:00 [X] C-Echo', '6-6-2020 09:00:01 [X] C-Echo'));
    expect(dmy.events.map((e) => e.time)).toEqual(['2020-06-05T09:00:00', '2020-06-06T09:00:01']);
    expect(dmy.problems).toHaveLength(1);
    expect(dmy.problems[0]).toMatchObject({ source: 't.log', line: 1, offset: 0 });
    expect(dmy.problems[0]!.message).toMatch(/ambiguous.*dmy.*--date-order/);
    const mdy = run(lines('20200505 08:00:00 C-Echo', '5/6/2020 9:00:00 AM [X] C-Echo'));
    expect(mdy.events.map((e) => e.time)).toEqual(['2020-05-05T08:00:00', '2020-05-06T09:00:00']);
    expect(mdy.problems.map((p) => [p.line, p.offset])).toEqual([[2, '20200505 08:00:00 C-Echo\n'.length]]);
  });

  it('stops holding after MAX_HELD_EVENTS lines and keeps the file order', () => {
    const many = Array.from({ length: MAX_HELD_EVENTS + 10 }, (_, i) => `5-6-2020 09:00:00 [X] Written file: ${i}.dcm`);
    const { events, problems } = run(lines(...many, '13-6-2020 09:00:00 [X] C-Echo'));
    expect(events).toHaveLength(MAX_HELD_EVENTS + 11);
    expect(events.every((e, i) => e.line === i + 1)).toBe(true);
    expect(events[0]!.time).toBe('2020-06-05T09:00:00');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(`first ${MAX_HELD_EVENTS}`);
  });

  it('lets --date-order force the order, without a problem for ambiguous dates', () => {
    const { events, problems } = run(lines('5-6-2020 09:00:00 [X] C-Echo', '2024/4/26 13:53:38 [X] C-Echo'), { dateOrder: 'mdy' });
    expect(events.map((e) => e.time)).toEqual(['2020-05-06T09:00:00', '2024-04-26T13:53:38']);
    expect(problems).toEqual([]);
    const forced = run(lines('22-7-2020 09:00:00 [X] C-Echo'), { dateOrder: 'mdy' });
    expect(forced.events[0]!.time).toBeNull();
    expect(forced.problems).toHaveLength(1);
    expect(forced.problems[0]).toMatchObject({ line: 1, offset: 0 });
  });

  it('reads year-first dates without holding or a problem', () => {
    const { events, problems } = run(lines('2024/4/5 13:53:38 [CONQUESTSRV1] C-Echo'));
    expect(events[0]!.time).toBe('2024-04-05T13:53:38');
    expect(problems).toEqual([]);
  });

  it('reports a switch of locale and reads each unambiguous date by its own evidence', () => {
    const { events, problems } = run(lines('22-7-2020 09:00:00 [X] C-Echo', '7/23/2020 9:00:01 AM [X] C-Echo', '8/7/2020 9:00:02 AM [X] C-Echo'));
    expect(events.map((e) => e.time)).toEqual(['2020-07-22T09:00:00', '2020-07-23T09:00:01', '2020-08-07T09:00:02']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 2 });
  });
});

describe('--tz and clock jumps', () => {
  const fold = lines(
    '20261025 01:59:00 C-Echo',
    '20261025 02:10:00 C-Echo',
    '20261025 02:59:59 C-Echo',
    '20261025 02:00:05 C-Echo',
    '20261025 02:30:00 C-Echo',
    '***Connection Terminated',
    '20261025 02:59:59 C-Echo',
    '20261025 03:00:01 C-Echo',
  );

  it('keeps wall-clock times without a zone by default', () => {
    const { events } = run(fold);
    expect(events[0]!.time).toBe('2026-10-25T01:59:00');
  });

  it('gives the second pass of the repeated hour the later offset (DST fold, Europe/Amsterdam)', () => {
    const { events, problems } = run(fold, { tz: 'Europe/Amsterdam' });
    expect(events.map((e) => [e.line, e.time])).toEqual([
      [1, '2026-10-25T01:59:00+02:00'],
      [2, '2026-10-25T02:10:00+02:00'],
      [3, '2026-10-25T02:59:59+02:00'],
      [4, '2026-10-25T02:00:05+01:00'],
      [5, '2026-10-25T02:30:00+01:00'],
      [6, '2026-10-25T02:30:00+01:00'],
      [7, '2026-10-25T02:59:59+01:00'],
      [8, '2026-10-25T03:00:01+01:00'],
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ source: 't.log', line: 4, offset: offsetOfLine(fold, 4) });
    expect(problems[0]!.message).toMatch(/DST change in Europe\/Amsterdam/);
  });

  it('recognises the second pass even when the log is quiet around the change', () => {
    const { events, problems } = run(lines('20261025 02:40:00 C-Echo', '20261025 02:10:00 C-Echo', '20261025 02:50:00 C-Echo'), { tz: 'Europe/Amsterdam' });
    expect(events.map((e) => e.time)).toEqual(['2026-10-25T02:40:00+02:00', '2026-10-25T02:10:00+01:00', '2026-10-25T02:50:00+01:00']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 2 });
  });

  it('still reports the jump back without --tz', () => {
    const { problems } = run(fold);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 4 });
    expect(problems[0]!.message).toMatch(/jumps back/);
  });

  it('picks the repeated hour offset from a journald short-iso line itself', () => {
    const { events } = run(lines('2026-10-25T02:10:00+0100 r dgate[1]: C-Echo'), { tz: 'Europe/Amsterdam' });
    expect(events[0]!.time).toBe('2026-10-25T02:10:00+01:00');
  });

  it('maps the spring gap: before +01:00, after +02:00, and a time inside it is reported', () => {
    const { events, problems } = run(lines('20260329 01:59:59 C-Echo', '20260329 03:00:00 C-Echo'), { tz: 'Europe/Amsterdam' });
    expect(events.map((e) => e.time)).toEqual(['2026-03-29T01:59:59+01:00', '2026-03-29T03:00:00+02:00']);
    expect(problems).toEqual([]);
    const gap = run(lines('20260329 01:59:59 C-Echo', '20260329 02:30:00 C-Echo'), { tz: 'Europe/Amsterdam' });
    expect(gap.events.map((e) => e.time)).toEqual(['2026-03-29T01:59:59+01:00', '2026-03-29T02:30:00+01:00']);
    expect(gap.problems).toHaveLength(1);
    expect(gap.problems[0]).toMatchObject({ line: 2 });
    expect(gap.problems[0]!.message).toMatch(/does not exist/);
  });

  it('keeps events in file order across a clock reset and reports it once', () => {
    const text = lines('20200722 14:03:05 C-Echo', '20200722 14:03:06 C-Echo', '20200101 00:00:00 C-Echo', '20200101 00:00:01 C-Echo', '20200101 00:00:02 C-Echo');
    const { events, problems } = run(text);
    expect(events.map((e) => [e.line, e.time])).toEqual([
      [1, '2020-07-22T14:03:05'],
      [2, '2020-07-22T14:03:06'],
      [3, '2020-01-01T00:00:00'],
      [4, '2020-01-01T00:00:01'],
      [5, '2020-01-01T00:00:02'],
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ source: 't.log', line: 3, offset: offsetOfLine(text, 3) });
    expect(problems[0]!.message).toMatch(/2020-07-22T14:03:06 to 2020-01-01T00:00:00.*clock reset/);
  });

  it('does not report small steps back (UDP reordering, STARTED AT a second early)', () => {
    const { problems } = run(lines('22-7-2020 14:03:05 [X] C-Echo', '22-7-2020 14:03:01 [X] C-Echo'));
    expect(problems).toEqual([]);
  });
});

describe('syslog years', () => {
  const journal = lines(
    'Nov 27 19:36:24 router dgate[7]: ',
    'Nov 27 19:36:24 router dgate[7]: UPACS THREAD 0: STARTED AT: Fri Nov 27 19:36:24 2026',
    'Nov 27 19:36:25 router dgate[7]: C-Echo',
  );

  it('uses --syslog-year when given', () => {
    const { events, problems } = run(journal, { syslogYear: 2025 });
    expect(events.map((e) => e.time)).toEqual(['2025-11-27T19:36:24', '2025-11-27T19:36:24', '2025-11-27T19:36:25']);
    expect(problems).toEqual([]);
  });

  it('learns the year from a STARTED AT ctime, also for the lines held before it', () => {
    const { events, problems } = run(journal);
    expect(events.map((e) => [e.kind, e.time])).toEqual([
      ['blank', '2026-11-27T19:36:24'],
      ['thread-start', '2026-11-27T19:36:24'],
      ['c-echo', '2026-11-27T19:36:25'],
    ]);
    expect(problems).toEqual([]);
  });

  it('learns the year from a full timestamp in the same file and rolls over at New Year', () => {
    const { events, problems } = run(
      lines('Wed Dec 31 23:59:58 2025 C-Echo', 'Dec 31 23:59:59 router dgate[7]: C-Echo', 'Jan  1 00:00:01 router dgate[7]: C-Echo'),
    );
    expect(events.map((e) => e.time)).toEqual(['2025-12-31T23:59:58', '2025-12-31T23:59:59', '2026-01-01T00:00:01']);
    expect(problems).toEqual([]);
    const later = run(lines('Dec 31 23:59:59 router dgate[7]: C-Echo', 'Jan  1 00:00:01 router dgate[7]: C-Echo', '2026-01-01T00:00:02+0100 router dgate[7]: C-Echo'));
    expect(later.events.map((e) => e.time)).toEqual(['2025-12-31T23:59:59', '2026-01-01T00:00:01', '2026-01-01T00:00:02']);
  });

  it('assumes a recent year and reports it when nothing tells the year', () => {
    const { events, problems } = run(lines('Jan  2 03:04:05 router dgate[7]: C-Echo'));
    const y = Number(events[0]!.time!.slice(0, 4));
    const now = new Date().getFullYear();
    expect([now - 1, now]).toContain(y);
    expect(events[0]!.time!.slice(4)).toBe('-01-02T03:04:05');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 1, offset: 0 });
    expect(problems[0]!.message).toMatch(/no year/);
  });
});

describe('untimestamped output (-v, -l)', () => {
  it('makes each line of the genuine dgate -v -r output its own event with time null', () => {
    const file = path.join(REAL, 's4b-unknown-ae-debug', 'router', 'init', 'dgate-v-r.out');
    const text = readFileSync(file, 'latin1');
    const { events, problems } = run(readFileSync(file));
    const n = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    expect(problems).toEqual([]);
    expect(events).toHaveLength(n);
    expect(events.every((e) => e.time === null)).toBe(true);
    events.forEach((e, i) => {
      expect(e.line).toBe(i + 1);
      expect(e.offset).toBe(offsetOfLine(text, i + 1));
    });
    expect(events[0]!.text).toBe('Regen Database');
    expect(events.find((e) => e.text.startsWith('***SQLITEExec error'))!.kind).not.toBe('unknown');
  });

  it('reads untimestamped lines before the first timestamped one as events of their own', () => {
    const { events } = run(lines('', 'UPACS THREAD 1: STARTED AT: Wed Jul 22 14:03:05 2020', 'C-Echo', '20200722 14:03:06 C-Echo'));
    expect(events.map((e) => [e.kind, e.time])).toEqual([
      ['blank', null],
      ['thread-start', null],
      ['c-echo', null],
      ['c-echo', '2020-07-22T14:03:06'],
    ]);
  });
});

describe('offsets', () => {
  it('gives every event the byte offset of its first line, CRLF included', () => {
    const text = crlf('20200722 14:03:05 a', 'b', '20200722 14:03:06 Written file: c', '[S] 20200722 14:03:07 d', '20200722 14:03:08 ');
    const { events } = run(text);
    expect(events.map((e) => [e.line, e.offset])).toEqual([
      [1, 0],
      [3, text.indexOf('20200722 14:03:06')],
      [4, text.indexOf('[S]')],
      [5, text.indexOf('20200722 14:03:08')],
    ]);
    expect(events[0]!.text).toBe('a\nb');
  });
});
