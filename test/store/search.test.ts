import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { indexPaths } from '../../src/store/ingest.js';
import { openStore, type DB } from '../../src/store/schema.js';
import { search } from '../../src/store/search.js';
import { ftsExpression, parseQuery, tokensOf } from '../../src/store/tokens.js';
import { tmp } from './helpers.js';

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
