/** Block storage (src/store/blocks.ts): what the index reads back from its blocks is what a fresh read gives. */
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { indexPaths } from '../../src/store/ingest.js';
import { openStore, StoreError, type DB } from '../../src/store/schema.js';
import { search, storedEvents } from '../../src/store/search.js';
import { decompress, readBlock, type BlockRow } from '../../src/store/blocks.js';
import { readEvents } from '../../src/pipeline/readEvents.js';
import type { InputProblem, LogEvent } from '../../src/parse/event.js';
import { MAX_LINE_BYTES } from '../../src/source/lines.js';
import { REAL, SAMPLES } from '../helpers.js';
import { lines, stored, tmp } from './helpers.js';

// ------------------------------------------------------------------ helpers

const open: DB[] = [];
function newDb(): DB {
  const d = openStore(path.join(tmp(), 'i.sqlite'));
  open.push(d);
  return d;
}
afterEach(() => {
  for (const d of open.splice(0)) if (d.open) d.close();
});

/** Runs fn with the byte fast lane on or off (CQLOG_NO_FAST_LANE), restoring the variable after. */
async function lane<T>(fast: boolean, fn: () => Promise<T>): Promise<T> {
  const old = process.env.CQLOG_NO_FAST_LANE;
  if (fast) delete process.env.CQLOG_NO_FAST_LANE;
  else process.env.CQLOG_NO_FAST_LANE = '1';
  try {
    return await fn();
  } finally {
    if (old === undefined) delete process.env.CQLOG_NO_FAST_LANE;
    else process.env.CQLOG_NO_FAST_LANE = old;
  }
}

/** The event contract's seven keys. */
const contract = (e: LogEvent): LogEvent => ({ source: e.source, line: e.line, offset: e.offset, time: e.time, kind: e.kind, text: e.text, fields: e.fields });
const byPlace = (a: LogEvent, b: LogEvent): number => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.line - b.line || a.offset - b.offset);

/** Strings over 300 characters as their length and hash, so a failing comparison prints a readable diff. */
function brief<T>(v: T): T {
  if (typeof v === 'string' && v.length > 300) return `${v.slice(0, 40)}… (${v.length} chars, sha1 ${createHash('sha1').update(v).digest('hex').slice(0, 12)})` as T;
  if (Array.isArray(v)) return v.map(brief) as T;
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, brief(x)])) as T;
  return v;
}

async function fresh(paths: string[], problems: InputProblem[] = []): Promise<LogEvent[]> {
  const out: LogEvent[] = [];
  await readEvents(paths, { encoding: 'latin1' }, (e) => out.push(brief(contract(e))), (p) => problems.push(p));
  return out.sort(byPlace);
}

const readBack = (d: DB): LogEvent[] => stored(d).map((e) => brief(contract(e))).sort(byPlace);

/** First line of every block, per source name. */
function blockStarts(d: DB): { source: string; line: number }[] {
  return d.prepare('SELECT s.name AS source, b.line FROM blocks b JOIN sources s ON s.id = b.src ORDER BY b.src, b.line').all() as { source: string; line: number }[];
}

/** The deflated bytes of one source's blocks, inflated and joined in order. */
function storedBytes(d: DB, source: string): Buffer {
  const rows = d.prepare('SELECT bd.data FROM blocks b JOIN block_data bd ON bd.id = b.id JOIN sources s ON s.id = b.src WHERE s.name = ? ORDER BY b.line').pluck().all(source) as Buffer[];
  return Buffer.concat(rows.map((r) => decompress(r)));
}

/**
 * Indexes paths into new databases (each block size, fast lane on and off) and expects the events read
 * back to be those of readEvents, the same problems reported, and every block to start where an event does.
 */
async function roundTrip(paths: string[], blockSizes: (number | undefined)[]): Promise<DB> {
  const wantProblems: InputProblem[] = [];
  const want = await fresh(paths, wantProblems);
  expect(want.length).toBeGreaterThan(0);
  const starts = new Set(want.map((e) => `${e.source}:${e.line}`));
  let last: DB | null = null;
  for (const fast of [true, false]) {
    for (const blockLines of blockSizes) {
      const what = `blockLines ${blockLines ?? 'default'}, fast lane ${fast ? 'on' : 'off'}`;
      const d = newDb();
      const problems: InputProblem[] = [];
      await lane(fast, () => indexPaths(d, paths, { ...(blockLines !== undefined ? { blockLines } : {}), onProblem: (p) => problems.push(p) }));
      expect(readBack(d), what).toEqual(want);
      expect(problems, what).toEqual(wantProblems);
      const bs = blockStarts(d);
      expect(bs.filter((b) => !starts.has(`${b.source}:${b.line}`)), `${what}: blocks starting inside an event`).toEqual([]);
      // Small blocks really split the sources.
      if (blockLines !== undefined && want.length > 2 * blockLines) expect(bs.length, what).toBeGreaterThan(new Set(bs.map((b) => b.source)).size);
      last = d;
    }
  }
  return last!;
}

/** The folders under root that hold *.log files, and its non-empty *.out files (console output). */
function logInputs(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    const names = readdirSync(dir).sort();
    if (path.basename(dir) !== 'logs' && names.some((n) => /\.log$/i.test(n) || n === 'logs')) out.push(dir);
    for (const n of names) {
      const p = path.join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.out$/i.test(n) && statSync(p).size > 0) out.push(p);
    }
  };
  walk(root);
  return out;
}

/** Writes a log into a new temp folder (bytes as given). */
function write(data: string | Buffer, name = 'serverstatus.log'): string {
  const file = path.join(tmp(), name);
  writeFileSync(file, typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  return file;
}

const crlf = (ls: string[]): string => ls.map((l) => l + '\r\n').join('');
const lf = (ls: string[]): string => ls.map((l) => l + '\n').join('');

/** ctime-prefixed (Linux dgate) lines, as in REAL/…/serverstatus.log. */
function ctime(sec: number, msg: string): string {
  return `Fri Nov 27 19:${String(30 + Math.floor(sec / 60)).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')} 2026 ${msg}`;
}

/** One association as dgate logs it (line shapes of REAL/…/serverstatus.log): `files` Written file lines, a C-MOVE destination if given. */
function association(thread: number, sec: number, calling: string, files: number, destination?: string): string[] {
  const t = `Fri Nov 27 19:${String(30 + Math.floor(sec / 60)).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')} 2026`;
  return [
    ctime(sec, ''),
    ctime(sec, `UPACS THREAD ${thread}: STARTED AT: ${t}`),
    ctime(sec, `\tCalling Application Title : "${calling.padEnd(16)}"`),
    ctime(sec, `\tCalled Application Title : "${'ROUTER'.padEnd(16)}"`),
    ctime(sec, '\tApplication Context : "1.2.840.10008.3.1.1.1", PDU length: 16384'),
    ctime(sec, '\tPresentation Context 0 "1.2.840.10008.5.1.4.1.1.2" 1'),
    ...(destination !== undefined ? [ctime(sec, `\tC-Move Destination: "${destination} "`), ctime(sec, `Number of images to send: ${files}`)] : []),
    ...Array.from({ length: files }, (_, i) =>
      ctime(sec, `Written file: /opt/conquest/data/12345678/1.3.46.670589.5.2.10.2156913941.892665339.860724_0001_00${thread}${String(i).padStart(3, '0')}_1795807870000${i}.dcm`),
    ),
    ctime(sec, `UPACS THREAD ${thread}: ENDED AT: ${t}`),
    ctime(sec, `UPACS THREAD ${thread}: TOTAL RUNNING TIME: 0 SECONDS`),
  ];
}

const SCENARIOS = readdirSync(REAL).filter((n) => statSync(path.join(REAL, n)).isDirectory()).sort();
const PREFIXES = readdirSync(path.join(SAMPLES, 'prefixes')).sort();

// ------------------------------------------------------------------ tests

describe('round trip: events read back from blocks are those of a fresh read', () => {
  it.each(SCENARIOS)('real %s', async (scenario) => {
    await roundTrip(logInputs(path.join(REAL, scenario)), [3, undefined]);
  });

  it.each(PREFIXES)('samples/prefixes/%s', async (file) => {
    await roundTrip([path.join(SAMPLES, 'prefixes', file)], [1, 3, undefined]);
  });

  it('GUI dates read with the order an earlier block decided', async () => {
    // 7/22 says mdy; later 24-hour `/` dates fit both orders, and alone would be read as dmy.
    const file = write(crlf(['7/22/2020 14:00:00 [X] a', ...Array.from({ length: 6 }, (_, i) => `8/${i + 1}/2020 14:00:0${i + 1} [X] b${i}`)]));
    expect((await fresh([file]))[6]!.time).toBe('2020-08-06T14:00:06');
    await roundTrip([file], [1, 2]);
  });

  it('syslog lines dated with the year an earlier block learned, over a new year', async () => {
    const j = (md: string, s: number, msg: string): string => `${md} 23:59:${String(s).padStart(2, '0')} pacs dgate[812]: ${msg}`;
    const file = write(lf([j('Dec 31', 50, 'UPACS THREAD 0: STARTED AT: Thu Dec 31 23:59:50 2020'), ...Array.from({ length: 4 }, (_, i) => j('Dec 31', 51 + i, `a${i}`)), ...Array.from({ length: 4 }, (_, i) => j('Jan  1', i, `b${i}`))]));
    const times = (await fresh([file])).map((e) => e.time!.slice(0, 10));
    expect(times).toEqual([...Array(5).fill('2020-12-31'), ...Array(4).fill('2021-01-01')]);
    await roundTrip([file], [1, 2]);
  });

  it('GUI dates whose day/month order switches mid-file', async () => {
    // 22-7 says dmy, so 1-2 is 1 February; 7/22 switches to mdy, so 1/2 after it is 2 January.
    const file = write(crlf(['22-7-2020 10:00:00 [X] a', '1-2-2020 10:00:01 [X] b', '7/22/2020 10:00:02 [X] c', '1/2/2020 10:00:03 [X] d', '1/3/2020 10:00:04 [X] e']));
    const want = await fresh([file]);
    expect(want.map((e) => e.time)).toEqual(['2020-07-22T10:00:00', '2020-02-01T10:00:01', '2020-07-22T10:00:02', '2020-01-02T10:00:03', '2020-01-03T10:00:04']);
    await roundTrip([file], [2, undefined]);
  });
});

describe('byte edge cases (blockLines 2)', () => {
  const ts = (s: number, msg: string): string => `20240311 10:00:${String(s).padStart(2, '0')} ${msg}`;

  it('LF-only line ends', async () => {
    const file = write(lf([ts(0, 'a'), ts(1, 'b'), ts(2, 'c'), ts(3, 'd'), ts(4, 'e')]));
    const d = await roundTrip([file], [2]);
    expect(storedBytes(d, file)).toEqual(readFileSync(file));
  });

  it('mixed CRLF and LF line ends (and a CR CR LF)', async () => {
    const file = write(ts(0, 'a') + '\r\n' + ts(1, 'b') + '\n' + ts(2, 'c') + '\r\n' + ts(3, 'd') + '\n' + ts(4, 'e') + '\r\r\n' + ts(5, 'f') + '\n');
    const d = await roundTrip([file], [2]);
    expect(storedBytes(d, file)).toEqual(readFileSync(file));
  });

  it('no newline after the last line', async () => {
    const file = write(crlf([ts(0, 'a'), ts(1, 'b'), ts(2, 'c')]) + ts(3, 'd'));
    const d = await roundTrip([file], [2]);
    expect(storedBytes(d, file)).toEqual(readFileSync(file));
    // …also when that last line is a continuation line.
    const cont = write(crlf([ts(0, 'a'), ts(1, 'b'), ts(2, '***Error connecting: x y/z')]) + 'Retrying');
    await roundTrip([cont], [2]);
  });

  it('a line longer than 1 MiB, then normal lines: their offsets stay exact', async () => {
    const long = ts(1, 'Written file: ' + 'z'.repeat(MAX_LINE_BYTES + 100));
    const after = [ts(2, 'a'), ts(3, 'b'), ts(4, 'c')];
    const file = write(crlf([ts(0, 'first'), long, ...after]));
    const d = await roundTrip([file], [2]);
    const evs = stored(d);
    expect(evs[1]!.text.length).toBe(MAX_LINE_BYTES - 18); // cut at 1 MiB, less the 18-byte prefix
    let off = ts(0, 'first').length + 2 + long.length + 2;
    for (const [i, l] of after.entries()) {
      expect(contract(evs[2 + i]!)).toMatchObject({ line: 3 + i, offset: off, text: l.slice(18) });
      off += l.length + 2;
    }
  });

  it('a line longer than 1 MiB followed by its continuation lines', async () => {
    const file = write(crlf([ts(0, '***Error connecting: ' + 'z'.repeat(MAX_LINE_BYTES + 100)), 'Retrying', 'again', ts(2, 'Written file: x')]));
    await roundTrip([file], [2]);
  });

  it('continuation lines across where a block would be cut', async () => {
    const file = write(
      crlf([ts(0, 'a'), ts(1, '***Error connecting: x y/z'), 'Retrying', 'Retrying again', ts(2, 'b'), ts(3, 'c'), ts(4, '***Error connecting: x y/z'), 'Retrying', ts(5, 'd')]),
    );
    const d = await roundTrip([file], [2]);
    const evs = readBack(d);
    expect(evs.find((e) => e.line === 2)).toMatchObject({ kind: 'db-connect-retry', text: '***Error connecting: x y/z\nRetrying\nRetrying again', time: '2024-03-11T10:00:01' });
    // The event's block holds its continuation lines, though it has more than 2 lines.
    expect(d.prepare('SELECT line, end_line FROM blocks WHERE line <= 2 AND end_line >= 2').get()).toEqual({ line: 1, end_line: 4 });
  });

  // A block is cut only where an event starts; an event ends after MAX_CONTINUATION_LINES lines or
  // MAX_EVENT_CHARS characters (src/parse/assemble.ts), so blocks stay bounded and read back exactly.
  it('an event whose continuation lines run past 1024 lines', async () => {
    const file = write(crlf([ts(0, '***Error connecting: x y/z'), ...Array.from({ length: 1100 }, (_, i) => `Retrying ${i}`), ts(2, 'b')]));
    await roundTrip([file], [2]);
  });

  it('an event whose continuation lines run past 256 KiB', async () => {
    const file = write(crlf([ts(0, '***Error connecting: x y/z'), ...Array.from({ length: 700 }, (_, i) => `Retrying ${i} ${'q'.repeat(400)}`), ts(2, 'b')]));
    await roundTrip([file], [2]);
  });
});

describe('--ae across blocks', () => {
  it('finds the lines of the association in every block, and none of another', async () => {
    // Line 1 a server line, then association 7 (its blank line first), then association 8 (a C-MOVE).
    const mine = association(7, 10, 'THECALLINGAE', 6);
    const other = association(8, 20, 'OTHERAE', 3, 'DESTAE');
    const file = write(lf([ctime(0, 'DGATE (1.5.0e, build Tue Feb 18 19:39:40 2025, bits 64) is running as threaded server'), ...mine, ...other]));
    const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const calling = 4; // its Calling Application Title line (STARTED is line 3)
    const end = 1 + mine.length; // its TOTAL RUNNING TIME
    const otherCalling = end + 3;
    const otherDest = otherCalling + 4;
    const otherEnd = end + other.length;
    for (const fast of [true, false]) {
      const d = newDb();
      await lane(fast, () => indexPaths(d, [file], { blockLines: 2 }));
      expect(d.prepare('SELECT count(*) FROM blocks WHERE end_line >= ? AND line <= ?').pluck().get(calling, end)).toBeGreaterThanOrEqual(5);
      const found = (ae: string): number[] => search(d, { ae }).items.map((i) => i!.event.line);
      // Whether the STARTED line (before any AE is named) belongs is left aside: lines from the AE's own line on.
      expect(found('THECALLINGAE').filter((l) => l >= calling), `fast lane ${fast}`).toEqual(range(calling, end));
      expect(found('THECALLINGAE').some((l) => l > end)).toBe(false);
      expect(search(d, { ae: 'THECALLINGAE', text: 'Written file' }).hits).toBe(6);
      expect(found('OTHERAE').filter((l) => l >= otherCalling)).toEqual(range(otherCalling, otherEnd));
      expect(found('OTHERAE').some((l) => l <= end)).toBe(false);
      expect(found('DESTAE').filter((l) => l >= otherDest)).toEqual(range(otherDest, otherEnd));
    }
  });

  it('with the association in one block, its lines before the AE is named belong too', async () => {
    const mine = association(7, 10, 'THECALLINGAE', 6);
    const other = association(8, 20, 'OTHERAE', 3, 'DESTAE');
    const file = write(lf([ctime(0, 'DGATE (1.5.0e, build Tue Feb 18 19:39:40 2025, bits 64) is running as threaded server'), ...mine, ...other]));
    const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const end = 1 + mine.length;
    const otherStart = end + 2; // after its blank line: STARTED
    const otherEnd = end + other.length;
    for (const fast of [true, false]) {
      const d = newDb();
      await lane(fast, () => indexPaths(d, [file]));
      const found = (ae: string): number[] => search(d, { ae }).items.map((i) => i!.event.line);
      expect(found('THECALLINGAE'), `fast lane ${fast}`).toEqual(range(3, end));
      expect(found('DESTAE')).toEqual(range(otherStart, otherEnd));
    }
  });
});

describe('--context across a block boundary', () => {
  it('takes the neighbouring lines from the blocks before and after, as in the file', async () => {
    const file = write(lines(20));
    const want = await fresh([file]);
    const d = newDb();
    await indexPaths(d, [file], { blockLines: 2 });
    expect(blockStarts(d).map((b) => b.line)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    const around = (line: number, n: number): LogEvent[] => want.filter((e) => e.line >= line - n && e.line <= line + n);
    // Line 7 (`line6`) starts a block, line 10 (`line9`) ends one; line 2 is near the file's start, line 20 its end.
    for (const [word, line] of [['line6', 7], ['line9', 10], ['line1', 2], ['line19', 20]] as const) {
      const r = search(d, { text: word, context: 3 });
      expect(r.hits).toBe(1);
      expect(r.items.map((i) => contract(i!.event)), word).toEqual(around(line, 3));
      expect(r.items.filter((i) => i!.hit).map((i) => i!.event.line)).toEqual([line]);
    }
  });
});

describe('--context with many hits sharing blocks', () => {
  it('shows every line of the overlapping windows once, in file order, hits marked', async () => {
    const file = write(lines(20));
    const want = await fresh([file]);
    const d = newDb();
    await indexPaths(d, [file], { blockLines: 2 });
    // Every line hits, and each hit's window reaches over the blocks around it: each line shown once, no group breaks.
    const all = search(d, { text: 'Written file', context: 3 });
    expect(all.hits).toBe(20);
    expect(all.items.map((i) => contract(i!.event))).toEqual(want);
    expect(all.items.every((i) => i?.hit)).toBe(true);
  });
});

describe('a damaged block', () => {
  it('is skipped: searches and storedEvents go on without it', async () => {
    const file = write(lines(30));
    const d = newDb();
    await indexPaths(d, [file], { blockLines: 5 });
    const bad = d.prepare('SELECT id, line, end_line FROM blocks WHERE line <= 13 AND end_line >= 13').get() as { id: number; line: number; end_line: number };
    expect(bad.end_line - bad.line).toBe(4);
    d.prepare("UPDATE block_data SET data = x'00112233' WHERE id = ?").run(bad.id);

    expect(() => [...storedEvents(d)]).not.toThrow();
    const evs = stored(d);
    expect(evs).toHaveLength(25);
    expect(evs.some((e) => e.line >= bad.line && e.line <= bad.end_line)).toBe(false);

    expect(search(d, { text: 'line3' }).items.map((i) => i!.event.line)).toEqual([4]);
    expect(search(d, { text: 'line25' }).hits).toBe(1);
    expect(search(d, { text: 'line12' }).hits).toBe(0); // in the damaged block
    expect(search(d, { text: 'line3' }).damaged).toEqual([]);
    const all = search(d, { text: 'Written file' });
    expect(all.hits).toBe(25);
    // …and says so, with where the unreadable lines are.
    expect(all.damaged).toEqual([{ source: file, line: bad.line, why: expect.any(String) }]);
    // A hit whose context reaches into the damaged block.
    const r = search(d, { text: 'line15', context: 3 });
    expect(r.items.map((i) => i!.event.line)).toEqual([16, 17, 18, 19]);
    expect(r.damaged.map((x) => x.line)).toEqual([bad.line]); // the missing context is said

    // readBlock reports it.
    const row = d.prepare('SELECT b.*, bd.data, s.name AS source FROM blocks b JOIN block_data bd ON bd.id = b.id JOIN sources s ON s.id = b.src WHERE b.id = ?').get(bad.id) as BlockRow;
    expect(Buffer.isBuffer(row.data)).toBe(true);
    const why: string[] = [];
    expect(readBlock(row, (_b, w) => why.push(w))).toEqual([]);
    expect(why).toHaveLength(1);
  });
});

describe('schema version', () => {
  it('a version-1 database is refused, naming an older cqlog', () => {
    const file = path.join(tmp(), 'i.sqlite');
    const d = openStore(file);
    d.prepare("UPDATE meta SET value = '1' WHERE key = 'schema_version'").run();
    d.close();
    for (const o of [{}, { readonly: true }]) {
      let err: unknown;
      try {
        openStore(file, o).close();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).message).toMatch(/version 1/);
      expect((err as StoreError).message).toMatch(/older cqlog/);
    }
  });
});

describe('a live log indexed again after it grew', () => {
  // The resumed run re-reads from the last block with the stored association stack only.
  async function grown(first: string, more: string): Promise<void> {
    const file = write(first);
    const d = newDb();
    await indexPaths(d, [file], { blockLines: 2 });
    appendFileSync(file, more, 'latin1');
    const problems: InputProblem[] = [];
    await indexPaths(d, [file], { blockLines: 2, onProblem: (p) => problems.push(p) });
    expect(readBack(d)).toEqual(await fresh([file]));
    expect(problems).toEqual([]);
  }

  it('keeps the GUI date order the file showed before', async () => {
    // 7/22 with a 24-hour clock says mdy, against the prior for `/` (dmy).
    await grown(crlf(['7/22/2020 14:00:00 [X] a', '8/1/2020 14:00:01 [X] b', '8/1/2020 14:00:02 [X] c', '8/1/2020 14:00:03 [X] d', '8/1/2020 14:00:04 [X] e']), crlf(['8/2/2020 14:00:05 [X] f']));
  });

  it('keeps the year of syslog lines', async () => {
    const j = (s: number, msg: string): string => `Nov 27 19:36:${String(s).padStart(2, '0')} pacs dgate[812]: ${msg}`;
    await grown(lf([j(0, 'UPACS THREAD 0: STARTED AT: Fri Nov 27 19:36:00 2020'), j(1, 'a'), j(2, 'b'), j(3, 'c'), j(4, 'd')]), lf([j(5, 'e'), j(6, 'f')]));
  });
});

describe('--ae after a resumed run', () => {
  it('attributes lines as a single run does, though an association stayed open across the runs', async () => {
    const ct = (sec: number, msg: string): string => ctime(sec, msg);
    const head = (th: number, sec: number, ae: string): string[] => [
      ct(sec, `UPACS THREAD ${th}: STARTED AT: Fri Nov 27 19:30:${String(sec).padStart(2, '0')} 2026`),
      ct(sec, `\tCalling Application Title : "${ae.padEnd(16)}"`),
      ct(sec, `\tCalled Application Title : "${'ROUTER'.padEnd(16)}"`),
    ];
    const tail = (th: number, sec: number): string[] => [
      ct(sec, `UPACS THREAD ${th}: ENDED AT: Fri Nov 27 19:30:${String(sec).padStart(2, '0')} 2026`),
      ct(sec, `UPACS THREAD ${th}: TOTAL RUNNING TIME: 0 SECONDS`),
    ];
    const run1 = [ct(0, 'DGATE is running as threaded server'), ...head(7, 1, 'OLDAE'), ...Array.from({ length: 6 }, (_, i) => ct(2, `Written file: old${i}.dcm`))];
    const run2 = [...head(8, 10, 'NEWAE'), ct(11, 'Written file: new0.dcm'), ...tail(8, 12), ct(13, 'Written file: old-after.dcm')];
    const twice = write(lf(run1));
    const d = newDb();
    await indexPaths(d, [twice], { blockLines: 2 });
    appendFileSync(twice, lf(run2));
    await indexPaths(d, [twice], { blockLines: 2 });
    const once = write(lf([...run1, ...run2]), 'once.log');
    const e = newDb();
    await indexPaths(e, [once], { blockLines: 2 });
    for (const ae of ['OLDAE', 'NEWAE']) {
      const lines = (x: DB): number[] => search(x, { ae }).items.map((i) => i!.event.line);
      expect(lines(d), ae).toEqual(lines(e));
    }
    expect(search(d, { ae: 'NEWAE' }).items.map((i) => i!.event.text)).toContain('UPACS THREAD 8: TOTAL RUNNING TIME: 0 SECONDS');
  });
});

describe('syslog years across blocks', () => {
  it('a New Year between syslog lines is kept when the block starts at a full timestamp', async () => {
    const file = write(
      lf([
        'Dec 31 23:59:49 pacs dgate[812]: Written file: z.dcm',
        'Dec 31 23:59:50 pacs dgate[812]: Written file: a.dcm',
        '20231231 23:59:58 Written file: b.dcm',
        'Jan  1 00:00:05 pacs dgate[812]: Written file: c.dcm',
      ]),
    );
    const d = await roundTrip([file], [1, 2]);
    expect(search(d, { text: 'c.dcm', since: '2024-01-01T00:00:00' }).hits).toBe(1);
  });
});
