/** The byte reading of `Written/Rewritten/Sending file` paths gives exactly what parseConquestPath gives, or declines. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ObjectPathReader } from '../../src/parse/catalog/objectPath.js';
import { parseConquestPath } from '../../src/parse/catalog/values.js';
import { REAL, SAMPLES } from '../helpers.js';
import { generate } from '../../src/tools/generate-big.js';

/** What the full parser gives for a message, restricted to the fields the reader answers. */
function expected(message: string): { patientFolder: string; seriesUid: string; fileTime: number } | null {
  const m = /^[\t ]*(?:Written file|Rewritten file|Sending file ?): (.+)$/.exec(message);
  if (!m) return null;
  const c = parseConquestPath(m[1]!);
  if (c.fileNameSyntax !== '3/4' || !c.patientFolder || c.seriesUid === null || c.fileTime === null) return null;
  return { patientFolder: c.patientFolder, seriesUid: c.seriesUid, fileTime: c.fileTime };
}

/** Reads a message through the reader, from the middle of a larger buffer as the lane does. */
function read(r: ObjectPathReader, message: string): ReturnType<ObjectPathReader['read']> {
  const buf = Buffer.from(`Fri Nov 27 19:31:10 2026 ${message}\nnext line`, 'latin1');
  return r.read(buf, 25, 25 + Buffer.byteLength(message, 'latin1'));
}

/** Names the reader leaves to the full parser: blanks before the message or around the path (trimmed there). */
function leftOnPurpose(msg: string): boolean {
  return /^[\t ]/.test(msg) || /^\S+ file ?: (?:[\s\u00a0]|.*[\s\u00a0]$)/.test(msg);
}

function messagesIn(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const at = line.search(/(?:Written file|Rewritten file|Sending file ?): /);
    if (at !== -1) out.push(line.slice(at));
  }
  return out;
}

function logFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...logFiles(p));
    else if (name.endsWith('.log')) out.push(p);
  }
  return out;
}

describe('ObjectPathReader', () => {
  it('agrees with parseConquestPath on every Written, Rewritten and Sending file line of the genuine logs, the samples and a generated log', async () => {
    const messages: string[] = [];
    for (const f of [...logFiles(REAL), ...logFiles(SAMPLES)]) messages.push(...messagesIn(readFileSync(f, 'latin1')));
    const chunks: Buffer[] = [];
    await generate({ size: 400_000, seed: 7 }, (c) => void chunks.push(c));
    messages.push(...messagesIn(Buffer.concat(chunks).toString('latin1')));
    expect(messages.length).toBeGreaterThan(1000);
    const r = new ObjectPathReader();
    let answered = 0;
    for (const msg of messages) {
      const got = read(r, msg);
      const want = expected(msg);
      if (got !== null) {
        answered++;
        expect(got, msg).toEqual(want);
      } else if (want !== null) {
        // Declining is allowed only for what the reader leaves to the full parser on purpose.
        expect(leftOnPurpose(msg), msg).toBe(true);
      }
    }
    // The common names are read from the bytes, not left to the full parser.
    expect(answered / messages.length).toBeGreaterThan(0.9);
  });

  const cases: [string, string][] = [
    ['Windows path', 'Written file: D:\\conquest\\data\\1234567\\1.2.840.113619.2.55.3.604688119.868.1595400000.467_0002_000001_15954193850003.dcm'],
    ['upper-case extension and counter', 'Written file: D:\\data\\P1\\1.2.3_1_2_1595419385ABCD.DCM'],
    ['.v2 name', 'Rewritten file: /data/P1/1.2.3_1_2_15954193850003.v2'],
    ['.V2 name', 'Written file: /data/P1/1.2.3_1_2_15954193850003.V2'],
    ['negative numbers', 'Written file: /data/P1/1.2.3_-1_-20_15954193850003.dcm'],
    ['nine-digit time', 'Written file: /data/P1/1.2.3_1_2_9954193850003.dcm'],
    ['fourteen digits, all numeric', 'Written file: /data/P1/1.2.3_1_2_15954193851234.dcm'],
    ['fifteen digits', 'Written file: /data/P1/1.2.3_1_2_159541938512345.dcm'],
    ['twelve characters', 'Written file: /data/P1/1.2.3_1_2_954193850003.dcm'],
    ['letter in the time', 'Written file: /data/P1/1.2.3_1_2_1595419385a003x.dcm'],
    ['relative path with a folder', 'Written file: P1/1.2.3_1_2_15954193850003.dcm'],
    ['bare name', 'Written file: 1.2.3_1_2_15954193850003.dcm'],
    ['separator first', 'Written file: /1.2.3_1_2_15954193850003.dcm'],
    ['empty folder', 'Written file: /data//1.2.3_1_2_15954193850003.dcm'],
    ['mixed separators', 'Written file: D:/data\\P 1\\1.2.3_1_2_15954193850003.dcm'],
    ['trailing blank', 'Written file: /data/P1/1.2.3_1_2_15954193850003.dcm '],
    ['leading blank in the path', 'Written file:  /data/P1/1.2.3_1_2_15954193850003.dcm'],
    ['tab before the message', '\tWritten file: /data/P1/1.2.3_1_2_15954193850003.dcm'],
    ['no-break space at the end', 'Written file: /data/P1/1.2.3_1_2_15954193850003.dcm\u00a0'],
    ['letters in the series', 'Written file: /data/P1/1.2.3a_1_2_15954193850003.dcm'],
    ['an extra underscore', 'Written file: /data/P1/1.2_3_1_2_15954193850003.dcm'],
    ['a missing number', 'Written file: /data/P1/1.2.3_1_15954193850003.dcm'],
    ['syntax 6/8', 'Written file: D:\\data\\P123\\1.2.3.4\\1.2.3.4.5\\1.2.3.4.5.6.dcm'],
    ['a folder with latin1 bytes', 'Written file: /data/M\u00fcller^Hans/1.2.3_1_2_15954193850003.dcm'],
    ['other extension', 'Written file: /data/P1/1.2.3_1_2_15954193850003.dcx'],
    ['.v and a control byte that lower-cases to 2', 'Written file: /data/P1/1.2.3_1_2_15954193850003.v\u0012'],
    ['.dc and a control byte', 'Written file: /data/P1/1.2.3_1_2_15954193850003.dc\u000d'],
    ['Sending file (move)', 'Sending file : /opt/conquest/data/12345678/1.2.3_0001_000001_17958079010000.dcm'],
    ['Sending file: (get)', 'Sending file: D:\\data\\12345678\\1.2.3_0001_000001_17958079010000.dcm'],
  ];
  for (const [name, msg] of cases) {
    it(`${name}: same answer as the full parser, or declines`, () => {
      const got = read(new ObjectPathReader(), msg);
      const want = expected(msg);
      if (got !== null) expect(got).toEqual(want);
      else if (want !== null) expect(leftOnPurpose(msg)).toBe(true);
    });
  }

  it('reads the ordinary names itself', () => {
    const r = new ObjectPathReader();
    expect(read(r, cases[0]![1])).toEqual({ patientFolder: '1234567', seriesUid: '1.2.840.113619.2.55.3.604688119.868.1595400000.467', fileTime: 1595419385 });
    expect(read(r, 'Written file: /data/P1/1.2.3_1_2_9954193850003.dcm')).toEqual({ patientFolder: 'P1', seriesUid: '1.2.3', fileTime: 995419385 });
    expect(read(r, 'Written file: /data/P1/1.2.3_1_2_15954193851234.dcm')?.fileTime).toBe(1595419385);
    expect(read(r, 'Sending file : /opt/conquest/data/12345678/1.2.3_0001_000001_17958079010000.dcm')).toEqual({ patientFolder: '12345678', seriesUid: '1.2.3', fileTime: 1795807901 });
    expect(read(r, 'Sending file: /opt/conquest/data/12345678/1.2.3_0001_000001_17958079010000.dcm')?.patientFolder).toBe('12345678');
    expect(read(r, 'Written file: 1.2.3_1_2_15954193850003.dcm')).toBeNull();
    expect(read(r, 'Written file: /data/P1/1.2.3_1_2_15954193850003.v\u0012')).toBeNull();
    expect(read(r, 'Written file: /data/P1/1.2.3_1_2_15954193850003.dcm ')).toBeNull();
  });

  it('never mixes up two keys that share a cache slot', () => {
    // Many folders and series of equal length: several land in the same slot; each must come back as itself.
    const r = new ObjectPathReader();
    const keys: [string, string][] = [];
    for (let f = 0; f < 40; f++) for (let s = 0; s < 40; s++) keys.push([`P${String(f).padStart(4, '0')}`, `1.2.840.${String(s).padStart(3, '0')}.9`]);
    for (let round = 0; round < 3; round++) {
      for (const [folder, series] of keys) {
        const got = read(r, `Written file: /data/${folder}/${series}_1_2_15954193850003.dcm`);
        expect(got).toEqual({ patientFolder: folder, seriesUid: series, fileTime: 1595419385 });
      }
    }
  });

  it('tells apart keys of one slot that differ in a single byte, wherever it is', () => {
    // Keys of equal length and tail share a slot; the cached key is compared word by word, then its last bytes.
    const r = new ObjectPathReader();
    const base = 'P12345678/1.2.840.113619.2.55.3.604688119';
    for (let at = 0; at < base.length; at++) {
      if (base[at] === '/') continue;
      const other = base.slice(0, at) + (base[at] === '9' ? '8' : '9') + base.slice(at + 1);
      for (const key of [base, other, base]) {
        const [folder, series] = key.split('/');
        expect(read(r, `Written file: /data/${key}_1_2_15954193850003.dcm`), `${at}`).toEqual({ patientFolder: folder, seriesUid: series, fileTime: 1595419385 });
      }
    }
  });

  it('does not take a cached key for the tail of a longer folder', () => {
    const r = new ObjectPathReader();
    // Same path length, so the same cache slot: the cached `P1/1.2.3` is the tail of `XP1/1.2.3`.
    expect(read(r, 'Written file: /data/P1/1.2.3_1_2_15954193850003.dcm')?.patientFolder).toBe('P1');
    expect(read(r, 'Written file: /dat/XP1/1.2.3_1_2_15954193850003.dcm')?.patientFolder).toBe('XP1');
    expect(read(r, 'Written file: P1/1.2.3_1_2_15954193850003.dcm')?.patientFolder).toBe('P1');
    expect(read(r, 'Written file: /data/P1/1.2.3_1_2_15954193850003.dcm')?.patientFolder).toBe('P1');
  });

  it('reads digit runs four bytes at a time exactly: every length, and every byte value at every place in them', () => {
    // The time token, the image and the series numbers are scanned backwards a word at a time: a
    // byte anywhere in a run that is not a digit must stop the scan where the byte loop stops.
    const r = new ObjectPathReader();
    const check = (msg: string): void => {
      const want = expected(msg);
      for (const reader of [r, new ObjectPathReader()]) {
        const got = read(reader, msg);
        if (got !== null) expect(got, JSON.stringify(msg)).toEqual(want);
        else if (want !== null) expect(leftOnPurpose(msg), JSON.stringify(msg)).toBe(true);
      }
    };
    const digits = (n: number): string => '1234567890123'.slice(0, n);
    // Short keys too (fewer than four bytes: no word of them to compare), and runs reaching the path's start.
    const keys = ['/data/P12345678/1.2.840.113619.2.55', 'P1/1.2', 'P/1.', '/a/1.2.3', 'X/12'];
    for (const key of keys) {
      for (let series = 1; series <= 9; series++) {
        for (let image = 1; image <= 9; image++) check(`Written file: ${key}_${digits(series)}_${digits(image)}_17935992260000.dcm`);
      }
      for (let t = 7; t <= 12; t++) check(`Written file: ${key}_0001_000001_${digits(t)}00aF.dcm`);
    }
    const base = 'Written file: /data/P12345678/1.2.840.113619.2.55_0001_000001_17935992260000.dcm';
    const tail = base.length - '.dcm'.length;
    for (let at = base.indexOf('_0001'); at < tail; at++) {
      for (let b = 0; b < 256; b++) {
        if (b === 10 || b === 13) continue;
        check(base.slice(0, at) + String.fromCharCode(b) + base.slice(at + 1));
      }
    }
  });

  it('tells apart keys of one length that share a cache slot and differ only in their last bytes', () => {
    // `P12/1.2.0.9` and `P12/1.2.7.8` land in one slot; their first words are equal, so only the
    // compare of the key's last bytes tells them apart. All keys `P12/1.2.X.Y`, read in turn, twice.
    const r = new ObjectPathReader();
    for (let round = 0; round < 2; round++) {
      for (let x = 0; x < 10; x++) {
        for (let y = 0; y < 10; y++) {
          const series = `1.2.${x}.${y}`;
          expect(read(r, `Written file: /data/P12/${series}_1_2_17935992260000.dcm`)?.seriesUid).toBe(series);
        }
      }
    }
  });

  it('gives a key seen again its own time, in a fresh object', () => {
    const r = new ObjectPathReader();
    const a = read(r, 'Written file: /data/P1/1.2.3_1_2_15954193850003.dcm')!;
    const b = read(r, 'Written file: /data/P1/1.2.3_1_3_15954193860004.dcm')!;
    expect(b).toEqual({ patientFolder: 'P1', seriesUid: '1.2.3', fileTime: 1595419386 });
    expect(a.fileTime).toBe(1595419385);
    expect(a).not.toBe(b);
  });
});
