/** Line prefix grammars, one physical line at a time (reference §1.1, §1.3, §1.9; issue 2 item 3). */
import { describe, expect, it } from 'vitest';
import { findGluedInMessage, findGluedPrefix, parseCtime, parsePrefix } from '../../src/parse/prefix.js';
import { evidenceOf, guiIso, priorOf } from '../../src/parse/dateOrder.js';

/** The GUI date of a line, resolved in the given order. */
function gui(line: string, order: 'dmy' | 'mdy' | 'ymd' = 'dmy'): string | null {
  const p = parsePrefix(line);
  expect(p.shape, line).toBe('gui');
  return guiIso(p.gui!.date, order, p.gui!.h, p.gui!.mi, p.gui!.s);
}

describe('Windows dgate (P1)', () => {
  it('reads `YYYYMMDD HH:MM:SS msg`', () => {
    expect(parsePrefix('20200722 14:03:05 Written file: D:\\data\\X\\a.dcm')).toEqual({
      shape: 'win',
      time: '2020-07-22T14:03:05',
      msg: 'Written file: D:\\data\\X\\a.dcm',
    });
  });
  it('keeps the leading tab of a message', () => {
    expect(parsePrefix('20200722 14:03:05 \tCalling Application Title : "CT01            "').msg).toBe(
      '\tCalling Application Title : "CT01            "',
    );
  });
  it('reads a line that is only a timestamp, with or without its trailing space', () => {
    expect(parsePrefix('20200722 14:03:05 ')).toMatchObject({ shape: 'win', time: '2020-07-22T14:03:05', msg: '' });
    expect(parsePrefix('20200722 14:03:05')).toMatchObject({ shape: 'win', time: '2020-07-22T14:03:05', msg: '' });
  });
  it('rejects near misses', () => {
    for (const l of ['20200722 14:03:05x', '2020072 14:03:05 a', '20200722 14:3:05 a', '20200722T14:03:05 a', '20200722 14-03-05 a']) {
      expect(parsePrefix(l).shape, l).toBe('none');
    }
  });
});

describe('Linux ctime (P2)', () => {
  it('reads a space-padded day', () => {
    expect(parsePrefix('Wed Jul  2 14:03:05 2020 msg')).toEqual({ shape: 'ctime', time: '2020-07-02T14:03:05', msg: 'msg' });
  });
  it('reads a two-digit day and every month', () => {
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    months.forEach((m, i) => {
      const p = parsePrefix(`Fri ${m} 27 19:36:24 2026 C-Move (PatientRoot)`);
      expect(p.time, m).toBe(`2026-${String(i + 1).padStart(2, '0')}-27T19:36:24`);
      expect(p.msg).toBe('C-Move (PatientRoot)');
    });
  });
  it('accepts every weekday and rejects other words', () => {
    for (const d of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']) expect(parsePrefix(`${d} Nov 27 19:36:24 2026 x`).shape).toBe('ctime');
    expect(parsePrefix('Fru Nov 27 19:36:24 2026 x').shape).toBe('none');
    expect(parsePrefix('Fri Nev 27 19:36:24 2026 x').shape).toBe('none');
    expect(parsePrefix('Fri Nov 27 19:36:24 26 x').shape).toBe('none');
  });
  it('reads the genuine timestamp-only line before UPACS THREAD', () => {
    expect(parsePrefix('Fri Nov 27 19:36:24 2026 ')).toMatchObject({ shape: 'ctime', time: '2026-11-27T19:36:24', msg: '' });
  });
  it('parses a ctime argument (STARTED AT)', () => {
    expect(parseCtime('Thu Jul 23 09:15:40 2020')).toBe('2020-07-23T09:15:40');
    expect(parseCtime(' Wed Jul  2 14:03:05 2020\n')).toBe('2020-07-02T14:03:05');
    expect(parseCtime('yesterday')).toBeNull();
  });
});

describe('the GUI via UDP (P3)', () => {
  it('reads nl-NL `22-7-2020 14:03:05 [X] msg`', () => {
    const p = parsePrefix('22-7-2020 14:03:05 [CONQUESTSRV1] Written file: a.dcm');
    expect(p).toMatchObject({ shape: 'gui', time: null, pacsName: 'CONQUESTSRV1', msg: 'Written file: a.dcm' });
    expect(p.gui!.date).toMatchObject({ a: 22, b: 7, c: 2020, yearFirst: false, sep: '-', ampm: false });
    expect(gui('22-7-2020 14:03:05 [X] a')).toBe('2020-07-22T14:03:05');
  });
  it('reads en-US `7/22/2020 2:03:05 PM [X] msg`', () => {
    const p = parsePrefix('7/22/2020 2:03:05 PM [CONQUESTSRV1] C-Echo');
    expect(p).toMatchObject({ shape: 'gui', pacsName: 'CONQUESTSRV1', msg: 'C-Echo' });
    expect(p.gui).toMatchObject({ h: 14, mi: 3, s: 5 });
    expect(gui('7/22/2020 2:03:05 PM [X] a', 'mdy')).toBe('2020-07-22T14:03:05');
  });
  it('reads 12 AM as midnight and 12 PM as noon', () => {
    expect(gui('7/22/2020 12:00:01 AM [X] a', 'mdy')).toBe('2020-07-22T00:00:01');
    expect(gui('7/22/2020 12:59:59 PM [X] a', 'mdy')).toBe('2020-07-22T12:59:59');
    expect(gui('7/22/2020 11:59:59 PM [X] a', 'mdy')).toBe('2020-07-22T23:59:59');
    expect(gui('7/22/2020 1:00:00 am [X] a', 'mdy')).toBe('2020-07-22T01:00:00');
  });
  it('reads `a.m.` / `p.m.` and AM/PM without a space', () => {
    expect(gui('22/07/2020 2:03:05 p.m. [X] a')).toBe('2020-07-22T14:03:05');
    expect(gui('22/07/2020 12:03:05 a.m. [X] a')).toBe('2020-07-22T00:03:05');
    expect(gui('7/22/2020 2:03:05PM [X] a', 'mdy')).toBe('2020-07-22T14:03:05');
    expect(parsePrefix('22/07/2020 2:03:05 p.m. [X] a').msg).toBe('a');
  });
  it('reads year-first `2024/4/26` and German `22.10.2022`', () => {
    const y = parsePrefix('2024/4/26 13:53:38 [CONQUESTSRV1] C-Echo');
    expect(y.gui!.date.yearFirst).toBe(true);
    expect(gui('2024/4/26 13:53:38 [CONQUESTSRV1] C-Echo', 'dmy')).toBe('2024-04-26T13:53:38');
    expect(gui('22.10.2022 22:38:45 [CPROXY] C-Echo')).toBe('2022-10-22T22:38:45');
  });
  it('reads the sv-SE year-first `2026-11-27 19:36:24`', () => {
    expect(gui('2026-11-27 19:36:24 [X] C-Echo', 'mdy')).toBe('2026-11-27T19:36:24');
  });
  it('reads two-digit years as 20xx and times without seconds', () => {
    expect(gui('22-7-20 14:03:05 [X] a')).toBe('2020-07-22T14:03:05');
    expect(gui('7/22/20 2:03 PM [X] a', 'mdy')).toBe('2020-07-22T14:03:00');
  });
  it('takes a [PACSName] with spaces', () => {
    const p = parsePrefix('22-7-2020 14:03:05 [MY PACS 2] Written file: a.dcm');
    expect(p.pacsName).toBe('MY PACS 2');
    expect(p.msg).toBe('Written file: a.dcm');
  });
  it('reads a GUI line that is only a timestamp and [PACSName] (the blank before UPACS THREAD)', () => {
    expect(parsePrefix('22-7-2020 14:03:05 [X] ')).toMatchObject({ shape: 'gui', pacsName: 'X', msg: '' });
    expect(parsePrefix('22-7-2020 14:03:05 [X]')).toMatchObject({ shape: 'gui', pacsName: 'X', msg: '' });
    expect(parsePrefix('22-7-2020 14:03:05')).toMatchObject({ shape: 'gui', msg: '' });
  });
  it('reads GUI-own lines: a timestamp but no [PACSName]', () => {
    const p = parsePrefix('22-7-2020 14:03:05 The server is not running properly - maybe the SQL server is not (yet) up');
    expect(p.shape).toBe('gui');
    expect(p.pacsName).toBeUndefined();
    expect(p.msg).toBe('The server is not running properly - maybe the SQL server is not (yet) up');
    expect(parsePrefix('22-7-2020 14:03:05  *** Restarted dead server after error 3').msg).toBe(' *** Restarted dead server after error 3');
  });
  it('takes only the first bracket as PACSName', () => {
    const p = parsePrefix('22-7-2020 14:03:05 [CONQUESTSRV1] [Regen] a.dcm -SUCCESS');
    expect(p.pacsName).toBe('CONQUESTSRV1');
    expect(p.msg).toBe('[Regen] a.dcm -SUCCESS');
  });
  it('rejects mixed separators and non-times', () => {
    expect(parsePrefix('22-7/2020 14:03:05 [X] a').shape).toBe('none');
    expect(parsePrefix('22-7-2020 text').shape).toBe('none');
    expect(parsePrefix('22-7-2020 14:03:05x').shape).toBe('none');
  });
});

describe('date order evidence', () => {
  const d = (l: string) => parsePrefix(l).gui!.date;
  it('decides from a field above 12', () => {
    expect(evidenceOf(d('22-7-2020 14:03:05 [X] a'))).toBe('dmy');
    expect(evidenceOf(d('7/22/2020 2:03:05 PM [X] a'))).toBe('mdy');
    expect(evidenceOf(d('5/6/2020 2:03:05 PM [X] a'))).toBeNull();
    expect(evidenceOf(d('2024/4/26 13:53:38 [X] a'))).toBe('ymd');
  });
  it('falls back to AM/PM → mdy, otherwise dmy', () => {
    expect(priorOf(d('5/6/2020 2:03:05 PM [X] a'))).toBe('mdy');
    expect(priorOf(d('5-6-2020 14:03:05 [X] a'))).toBe('dmy');
    expect(priorOf(d('5.6.2020 14:03:05 [X] a'))).toBe('dmy');
  });
  it('rejects impossible dates in the chosen order', () => {
    expect(gui('7/22/2020 2:03:05 PM [X] a', 'dmy')).toBeNull();
    expect(gui('31-4-2020 14:03:05 [X] a', 'dmy')).toBeNull();
    expect(gui('29-2-2020 14:03:05 [X] a', 'dmy')).toBe('2020-02-29T14:03:05');
    expect(gui('29-2-2021 14:03:05 [X] a', 'dmy')).toBeNull();
  });
});

describe('[PACSName] before a dgate timestamp (P4)', () => {
  it('reads the sticky prefix before a Windows timestamp', () => {
    expect(parsePrefix('[CONQUESTSRV1] 20200722 14:03:05 Written file: a.dcm')).toEqual({
      shape: 'win',
      time: '2020-07-22T14:03:05',
      pacsName: 'CONQUESTSRV1',
      msg: 'Written file: a.dcm',
    });
  });
  it('reads it before a ctime timestamp, and a name with spaces', () => {
    expect(parsePrefix('[MY PACS] Wed Jul  2 14:03:05 2020 C-Echo')).toEqual({
      shape: 'ctime',
      time: '2020-07-02T14:03:05',
      pacsName: 'MY PACS',
      msg: 'C-Echo',
    });
  });
  it('reads a P4 timestamp-only line', () => {
    expect(parsePrefix('[CONQUESTSRV1] 20200722 14:03:05 ')).toMatchObject({ shape: 'win', pacsName: 'CONQUESTSRV1', msg: '' });
  });
  it('does not take `[Regen] …` or `[lua] …` for a PACSName when no timestamp follows', () => {
    expect(parsePrefix('[Regen] D:\\data\\X\\a.dcm -SUCCESS')).toEqual({ shape: 'none', time: null, msg: '[Regen] D:\\data\\X\\a.dcm -SUCCESS' });
    expect(parsePrefix('[lua] nightly')).toEqual({ shape: 'none', time: null, msg: '[lua] nightly' });
    expect(parsePrefix('[X]20200722 14:03:05 a').shape).toBe('none');
    expect(parsePrefix(`[${'A'.repeat(65)}] 20200722 14:03:05 a`).shape).toBe('none');
    expect(parsePrefix(`[${'A'.repeat(64)}] 20200722 14:03:05 a`).pacsName).toBe('A'.repeat(64));
  });
});

describe('journald / syslog', () => {
  it('reads the classic syslog prefix (no year)', () => {
    const p = parsePrefix('Nov 27 19:36:24 router dgate[123]: Written file: /opt/a.dcm');
    expect(p).toMatchObject({ shape: 'syslog', time: null, host: 'router', msg: 'Written file: /opt/a.dcm' });
    expect(p.syslog).toEqual({ mo: 11, d: 27, h: 19, mi: 36, s: 24 });
  });
  it('reads a space-padded day, no pid, and short-precise fractions', () => {
    expect(parsePrefix('Nov  7 19:36:24 router dgate: x')).toMatchObject({ shape: 'syslog', syslog: { d: 7 }, msg: 'x' });
    expect(parsePrefix('Nov 27 19:36:24.123456 router dgate[9]: x')).toMatchObject({ shape: 'syslog', syslog: { s: 24 }, msg: 'x' });
  });
  it('reads an empty journald message (the blank before UPACS THREAD under -v)', () => {
    expect(parsePrefix('Nov 27 19:36:24 router dgate[123]: ')).toMatchObject({ shape: 'syslog', msg: '' });
    expect(parsePrefix('Nov 27 19:36:24 router dgate[123]:')).toMatchObject({ shape: 'syslog', msg: '' });
  });
  it('reads journalctl -o short-iso with its offset, keeping the wall-clock time', () => {
    expect(parsePrefix('2026-11-27T19:36:24+0100 router dgate[123]: C-Echo')).toMatchObject({
      shape: 'iso',
      time: '2026-11-27T19:36:24',
      zone: '+01:00',
      host: 'router',
      msg: 'C-Echo',
    });
    expect(parsePrefix('2026-11-27T19:36:24.123456+01:00 router dgate[123]: C-Echo')).toMatchObject({ time: '2026-11-27T19:36:24', zone: '+01:00' });
  });
  it('reads journalctl -o short-full', () => {
    expect(parsePrefix('Fri 2026-11-27 19:36:24 CET router dgate[123]: C-Echo')).toMatchObject({
      shape: 'iso',
      time: '2026-11-27T19:36:24',
      msg: 'C-Echo',
    });
  });
  it('does not take a ctime for syslog or syslog for ctime', () => {
    expect(parsePrefix('Nov 27 19:36:24 2026 x').shape).toBe('none');
    expect(parsePrefix('November 27 was a Friday').shape).toBe('none');
  });
});

describe('no prefix', () => {
  it('leaves untimestamped -v/-l lines whole', () => {
    for (const l of ['Regen Database', '***SQLITEExec error: no such table: DICOMWorkList', '\tCalling Application Title : "WS1             "', '']) {
      expect(parsePrefix(l)).toEqual({ shape: 'none', time: null, msg: l });
    }
  });
  it('does not mistake lines that merely start with digits', () => {
    for (const l of [
      '12345678',
      '12345678 Written',
      '1.2.840.10008.5.1.4.1.1.2',
      '0010,0020     10 LO PatientID              123456782 ',
      '2020 was a year',
      '22-7-2020',
      '2026-11-27T19:36:24+0100',
      '5 images',
      '123:45:67 x',
    ]) {
      expect(parsePrefix(l).shape, l).toBe('none');
      expect(parsePrefix(l).msg).toBe(l);
    }
  });
});

describe('glued lines (§1.6)', () => {
  it('finds a ctime or Windows timestamp glued to the previous message', () => {
    expect(findGluedPrefix(': NOSUCHAEFri Nov 27 19:36:24 2026 C-Move (PatientRoot)')).toBe(10);
    expect(findGluedPrefix(': WRONGAE20200722 14:03:05 C-Move (StudyRoot)')).toBe(9);
    expect(findGluedPrefix(': WS120200722 14:03:05 C-Move (StudyRoot)')).toBe(5);
    expect(findGluedPrefix(': WS2 Fri Nov 27 19:36:24 2026 C-Move (PatientRoot)')).toBe(6);
    expect(findGluedPrefix(': WRONGAE[CONQUESTSRV1] 20200722 14:03:05 C-Move (StudyRoot)')).toBe(9);
  });
  it('does not split a ctime argument that ends the line or an invalid date', () => {
    expect(findGluedPrefix('UPACS THREAD 1: STARTED AT: Fri Nov 27 19:36:24 2026')).toBe(-1);
    expect(findGluedPrefix(': XFoo Nov 27 19:36:24 2026 C-Move')).toBe(-1);
    expect(findGluedPrefix('no timestamp here')).toBe(-1);
  });
  it('searches prefixed messages only after the known unterminated messages', () => {
    expect(findGluedInMessage('*** HL7 import: cannot open database20200722 14:03:05 C-Echo')).toBe(36);
    expect(findGluedInMessage('Written file: 20200722 14:03:05 x')).toBe(-1);
    expect(findGluedInMessage('*** HL7 import: cannot open database')).toBe(-1);
  });
});
