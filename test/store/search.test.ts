import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { indexPaths } from '../../src/store/ingest.js';
import { openStore, type DB } from '../../src/store/schema.js';
import { search } from '../../src/store/search.js';
import { ftsExpression, matchesTerms, parseQuery, tokensOf } from '../../src/store/tokens.js';
import { readEvents } from '../../src/pipeline/readEvents.js';
import type { LogEvent } from '../../src/parse/event.js';
import { REAL } from '../helpers.js';
import { lines, tmp } from './helpers.js';

let db: DB;

beforeAll(async () => {
  const dir = tmp();
  const log = path.join(dir, 'serverstatus.log');
  writeFileSync(
    log,
    [
      '20240311 10:00:00 Written file: D:\\data\\12345678\\1.2.3_0001_000001_15954193850003.dcm',
      "20240311 10:00:01 ***Refused to enter inconsistent link PatientID into DICOMStudies: PatientID = 'O''Brien' StudyInsta = '1.2.3.4', Old='A_1', Refused='O''Brien'",
      '20240311 10:00:02 Host \'WS1\' did not accept the connection.',
      '20240311 10:00:03 a:b "quoted" NEAR(x) ) OR 1=1 -- C-Move',
      '20240311 10:00:04 Written file: /opt/conquest/data/P-7_X/1.2.30_0001_000001_15954193850004.dcm',
    ].join('\r\n') + '\r\n',
    'latin1',
  );
  db = openStore(path.join(dir, 'i.sqlite'));
  await indexPaths(db, [log]);
});

const texts = (q: Parameters<typeof search>[1]): string[] => search(db, q).items.map((i) => i!.event.text);

describe('tokens', () => {
  it('splits paths so folders and UIDs are tokens, keeps UIDs and dashes whole, drops lone dots', () => {
    expect(tokensOf('D:\\data\\12345678\\1.2.3_0001_000001_159.dcm')).toEqual(['d', 'data', '12345678', '1.2.3', '0001', '000001', '159.dcm']);
    expect(tokensOf('connection. ---- C-Move')).toEqual(['connection', 'c-move']);
  });

  it('turns any input into quoted FTS5 strings only', () => {
    for (const q of ['"', ') OR 1=1 --', 'NEAR(a b)', 'x* OR y', "'", 'a"b']) {
      const e = ftsExpression(parseQuery(q));
      if (e !== null) expect(e).toMatch(/^"[^"]+"\*?( AND "[^"]+"\*?)*$/);
    }
  });
});

describe('search (library)', () => {
  it('finds the patient folder and the series UID inside a Windows path', () => {
    expect(texts({ text: '12345678' })).toHaveLength(1);
    expect(texts({ text: '1.2.3' })).toHaveLength(1);
    expect(texts({ text: '1.2.3' })[0]).toContain('D:\\data\\12345678\\1.2.3_0001');
    expect(texts({ text: 'D:\\data\\12345678' })).toHaveLength(1);
    // Words must be adjacent only when given as one term.
    expect(texts({ text: 'data\\1.2.3' })).toHaveLength(0);
    expect(texts({ text: 'data 1.2.3' })).toHaveLength(1);
  });

  it('--patient matches IDs with quotes, dashes and underscores', () => {
    expect(texts({ patient: "O'Brien" })).toHaveLength(1);
    expect(texts({ patient: 'P-7_X' })).toHaveLength(1);
    expect(texts({ patient: 'A_1' })).toHaveLength(1);
    expect(texts({ study: '1.2.3.4' })).toHaveLength(1);
    // An identifier also matches where it occurs as a whole token in the text (here the series in the path).
    expect(texts({ study: '1.2.3' })).toHaveLength(1);
    expect(texts({ study: '1.2' })).toHaveLength(0);
  });

  it('hostile queries never throw', () => {
    const hostile = ['"', "'", 'a:b', '\\', '\\\\', '*', '**', 'NEAR(', 'NEAR(x', ') OR 1=1 --', "'; DROP TABLE events; --", 'AND', 'OR', 'NOT x', '"', '""', '"a" "b', 'body:x', '{body}: x', '^x', '+x', '-x', '(', ')', '%', '_', '\u0000', '\uFFFD', 'é', '😀', ' ', '', 'x'.repeat(5000), '1.2.3*', '.*', '-*', 'a-*'];
    for (const q of hostile) {
      for (const k of ['text', 'patient', 'study', 'ae'] as const) expect(() => search(db, { [k]: q, context: 1 }), `${k}: ${q}`).not.toThrow();
    }
    expect(texts({ text: 'a:b' })).toHaveLength(1);
    expect(texts({ text: 'NEAR(x)' })).toHaveLength(1);
    expect(texts({ text: ') OR 1=1 --' })).toHaveLength(1);
    expect(texts({ text: '"quoted"' })).toHaveLength(1);
    expect(search(db, { text: '*' }).emptyQuery).toBe(true);
    expect(texts({ text: 'connection.' })).toHaveLength(1);
    expect(texts({ text: 'c-move' })).toHaveLength(1);
  });
});

describe('search against a plain scan of the same logs', () => {
  // The reference: read the logs afresh and keep the events whose text holds the words (and kind).
  // The index must give exactly these, in time order, whatever the block size.
  it('gives exactly the events a scan finds, for words, IDs, kinds and their combinations', async () => {
    const dirs = ['s1-normal-push', 's2-virtual-move-ok', 's4b-unknown-ae-debug', 's6-zip-rotation'].map((s) => path.join(REAL, s, 'router'));
    const fresh: LogEvent[] = [];
    await readEvents(dirs, { encoding: 'latin1' }, (e) => fresh.push(e), () => {});
    // Queries: a token from every 5th event, some pairs, a prefix, each with and without a kind.
    const words: string[] = [];
    fresh.forEach((e, i) => {
      const toks = tokensOf(e.text);
      if (i % 5 === 0 && toks.length > 0) words.push(toks[(i * 7) % toks.length]!);
    });
    const queries: { text: string; kinds?: string[] }[] = [];
    words.slice(0, 60).forEach((w, i) => {
      queries.push({ text: w });
      if (i % 3 === 0) queries.push({ text: `${w} ${words[(i * 11) % words.length]!}` });
      if (i % 4 === 0) queries.push({ text: w, kinds: [fresh[(i * 13) % fresh.length]!.kind] });
      if (i % 5 === 0 && w.length > 3) queries.push({ text: `${w.slice(0, 3)}*` });
    });
    const key = (e: LogEvent): string => `${e.source}:${e.line}:${e.offset}`;
    for (const blockLines of [3, 256]) {
      const d = openStore(path.join(tmp(), 'i.sqlite'));
      try {
        await indexPaths(d, dirs, { blockLines });
        for (const q of queries) {
          const terms = parseQuery(q.text);
          const want = fresh.filter((e) => matchesTerms(terms, e.text) && (!q.kinds || q.kinds.includes(e.kind)));
          const r = search(d, { ...q, limit: 100_000 });
          const got = r.items.map((i) => i!.event);
          expect(new Set(got.map(key)), `${JSON.stringify(q)} blockLines ${blockLines}`).toEqual(new Set(want.map(key)));
          expect(got).toHaveLength(want.length);
          // Hits come in time order (events without a time first) and are the events a scan gives.
          const times = got.map((e) => e.time ?? '');
          expect(times).toEqual([...times].sort());
          const byKey = new Map(want.map((e) => [key(e), e]));
          for (const e of got) expect(e).toEqual(byKey.get(key(e)));
        }
      } finally {
        d.close();
      }
    }
  });
});

describe('many candidate blocks', () => {
  it('walks the time index (over 2,000 candidate blocks) and gives what a scan gives, window and limit included', async () => {
    // 3,000 one-line blocks, one line a second, every one a Written file line.
    const dir = tmp();
    const log = path.join(dir, 'serverstatus.log');
    writeFileSync(log, lines(3000), 'latin1');
    const fresh: LogEvent[] = [];
    await readEvents([log], { encoding: 'latin1' }, (e) => fresh.push(e), () => {});
    const d = openStore(path.join(dir, 'i.sqlite'));
    try {
      await indexPaths(d, [log], { blockLines: 1 });
      expect(d.prepare('SELECT count(*) FROM blocks').pluck().get()).toBe(3000);
      const key = (e: LogEvent): string => `${e.line}`;
      const cases = [
        { text: 'Written', since: '2024-03-11T10:10:00', until: '2024-03-11T10:20:00', limit: 100_000 },
        { text: 'Written file', since: '2024-03-11T10:40:00', limit: 50 },
        { text: 'Written', until: '2024-03-11T10:00:30', limit: 100_000 },
        { kinds: ['written-file'], since: '2024-03-11T10:49:00', limit: 100_000 },
      ];
      for (const q of cases) {
        const terms = parseQuery(q.text ?? '');
        const inWindow = (e: LogEvent): boolean => (!q.since || e.time! >= q.since) && (!q.until || e.time! < q.until);
        const want = fresh.filter((e) => inWindow(e) && matchesTerms(terms, e.text) && (!q.kinds || q.kinds.includes(e.kind)));
        const r = search(d, q);
        expect(r.items.map((i) => key(i!.event)), JSON.stringify(q)).toEqual(want.slice(0, q.limit).map(key));
        expect(r.truncated).toBe(want.length > q.limit);
      }
    } finally {
      d.close();
    }
  });
});

describe('events without a time', () => {
  it('come first, and a limited search gives the first hits of the unlimited one', async () => {
    const dir = tmp();
    const a = path.join(dir, 'a.log');
    const b = path.join(dir, 'b.log');
    writeFileSync(a, Array.from({ length: 20 }, (_, i) => `20240311 10:00:${String(i).padStart(2, '0')} Written file: x${i}.dcm foo`).join('\r\n') + '\r\n');
    // A line before the file's first timestamp has no time; the block's earliest time is a day later.
    writeFileSync(b, ['bare untimed foo line', '20240312 10:00:00 Written file: y.dcm foo'].join('\r\n') + '\r\n');
    const d = openStore(path.join(dir, 'i.sqlite'));
    try {
      await indexPaths(d, [a, b]);
      const key = (r: ReturnType<typeof search>): string[] => r.items.map((i) => `${path.basename(i!.event.source)}:${i!.event.line}`);
      const all = key(search(d, { text: 'foo', limit: 100 }));
      expect(all[0]).toBe('b.log:1');
      for (const limit of [1, 5, 20]) {
        const r = search(d, { text: 'foo', limit });
        expect(key(r)).toEqual(all.slice(0, limit));
        expect(r.truncated).toBe(all.length > limit);
      }
    } finally {
      d.close();
    }
  });
});
