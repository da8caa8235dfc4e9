/** LineSplitter (byte line splitting with exact offsets) and looksBinary. */
import { describe, expect, it } from 'vitest';
import { LineSplitter, looksBinary, MAX_LINE_BYTES } from '../../src/source/lines.js';
import type { InputProblem } from '../../src/parse/event.js';

interface Line {
  text: string;
  offset: number;
  lineNo: number;
}

function split(chunks: Buffer[], max?: number): { lines: Line[]; problems: InputProblem[]; bytes: number } {
  const lines: Line[] = [];
  const problems: InputProblem[] = [];
  const s = new LineSplitter(
    'src',
    (buf, start, end, offset, lineNo) => lines.push({ text: buf.toString('latin1', start, end), offset, lineNo }),
    (p) => problems.push(p),
    max,
  );
  // The reader reuses its buffer: hand the splitter a copy it may not keep, then scribble over it.
  for (const c of chunks) {
    const reused = Buffer.from(c);
    s.push(reused);
    reused.fill(0x58);
  }
  s.end();
  expect(s.lines).toBe(lines.length);
  return { lines, problems, bytes: s.bytes };
}

/** Cuts a buffer at the given positions. */
function cut(b: Buffer, at: number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...at, b.length]) {
    out.push(b.subarray(prev, p));
    prev = p;
  }
  return out;
}

/** Reference split: lines on LF, CR before LF dropped, last line without LF kept when not empty. */
function expected(text: string): Line[] {
  const out: Line[] = [];
  let offset = 0;
  const parts = text.split('\n');
  parts.forEach((p, i) => {
    if (i === parts.length - 1 && p === '') return;
    const t = i < parts.length - 1 && p.endsWith('\r') ? p.slice(0, -1) : p;
    out.push({ text: t, offset, lineNo: i + 1 });
    offset += Buffer.byteLength(p, 'latin1') + 1;
  });
  return out;
}

describe('LineSplitter', () => {
  const text = 'Fri Nov 27 19:35:09 2026 one\r\n\r\ntwo\nthree\r\n\tfour é\r\nlast without newline';
  const bytes = Buffer.from(text, 'latin1');

  it('splits LF and CRLF lines with exact offsets and line numbers', () => {
    const r = split([bytes]);
    expect(r.lines).toEqual(expected(text));
    expect(r.lines.at(-1)).toEqual({ text: 'last without newline', offset: bytes.length - 20, lineNo: 6 });
    expect(r.problems).toEqual([]);
    expect(r.bytes).toBe(bytes.length);
  });

  it('gives the same lines for a chunk boundary at every position (inside CRLF too)', () => {
    const want = expected(text);
    for (let i = 0; i <= bytes.length; i++) {
      expect(split(cut(bytes, [i])).lines, `cut at ${i}`).toEqual(want);
    }
  });

  it('gives the same lines for one-byte chunks and for every pair of cuts', () => {
    const want = expected(text);
    expect(split(cut(bytes, Array.from({ length: bytes.length }, (_, i) => i))).lines).toEqual(want);
    for (let i = 0; i < bytes.length; i += 3) {
      for (let j = i; j < bytes.length; j += 5) expect(split(cut(bytes, [i, j])).lines, `cuts ${i},${j}`).toEqual(want);
    }
  });

  it('keeps an empty last chunk and a file ending in a newline from adding a line', () => {
    expect(split([Buffer.from('a\nb\n'), Buffer.alloc(0)]).lines.map((l) => l.text)).toEqual(['a', 'b']);
    expect(split([Buffer.from('a\r\n')]).lines.map((l) => l.text)).toEqual(['a']);
    expect(split([]).lines).toEqual([]);
  });

  it('keeps a CR that is not before an LF, and a lone CR line becomes empty', () => {
    expect(split([Buffer.from('a\rb\n\r\n')]).lines.map((l) => l.text)).toEqual(['a\rb', '']);
    expect(split([Buffer.from('a\r')]).lines.map((l) => l.text)).toEqual(['a\r']);
  });

  it('cuts a line longer than the maximum, reports it once with its line and offset, and reads the next line', () => {
    const max = 16;
    const long = 'x'.repeat(40);
    const src = Buffer.from(`first\r\n${long}\r\nnext\r\n`, 'latin1');
    const want = ['first', long.slice(0, max), 'next'];
    for (let i = 0; i <= src.length; i++) {
      const r = split(cut(src, [i]), max);
      expect(r.lines.map((l) => l.text), `cut at ${i}`).toEqual(want);
      expect(r.lines.map((l) => l.offset)).toEqual([0, 7, 49]);
      expect(r.problems, `cut at ${i}`).toHaveLength(1);
      expect(r.problems[0]).toMatchObject({ source: 'src', line: 2, offset: 7 });
      // The CR of the CRLF is not counted in the line's length, wherever the chunk boundary fell.
      expect(r.problems[0]!.message).toContain('line of 40 bytes');
    }
  });

  it('handles an over-long line spread over many chunks, and one at the end without a newline', () => {
    const max = 10;
    const src = Buffer.from('a\n' + 'y'.repeat(95) + '\nb\n' + 'z'.repeat(33), 'latin1');
    const r = split(cut(src, [1, 5, 9, 20, 50, 97, 98, 99, 100, 120]), max);
    expect(r.lines.map((l) => l.text)).toEqual(['a', 'y'.repeat(10), 'b', 'z'.repeat(10)]);
    expect(r.problems.map((p) => [p.line, p.offset, p.message.match(/line of (\d+)/)?.[1]])).toEqual([
      [2, 2, '95'],
      [4, 100, '33'],
    ]);
  });

  it('a line of exactly the maximum is not cut, even with its CRLF split across chunks', () => {
    const max = 8;
    const src = Buffer.from('12345678\r\nok\n', 'latin1');
    for (let i = 0; i <= src.length; i++) {
      const r = split(cut(src, [i]), max);
      expect(r.lines.map((l) => l.text)).toEqual(['12345678', 'ok']);
      expect(r.problems).toEqual([]);
    }
  });

  it('uses 1 MiB as the default maximum', () => {
    expect(MAX_LINE_BYTES).toBe(1 << 20);
    const r = split([Buffer.alloc(MAX_LINE_BYTES + 5, 0x61), Buffer.from('\nnext\n')]);
    expect(r.lines.map((l) => l.text.length)).toEqual([MAX_LINE_BYTES, 4]);
    expect(r.problems).toHaveLength(1);
  });

  it('reports NUL bytes once with their offset and passes them through', () => {
    const src = Buffer.from('ok\nab\0\0cd\n\0\0\0\n', 'latin1');
    const r = split(cut(src, [4]));
    expect(r.lines.map((l) => l.text)).toEqual(['ok', 'ab\0\0cd', '\0\0\0']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ source: 'src', line: 2, offset: 5 });
    expect(r.problems[0]!.message).toMatch(/NUL/);
  });

  it('names the line of the first NUL byte, after the newlines before it in its chunk and before it', () => {
    const src = Buffer.from('ok\nx\ny\nzz\0\nlast\n', 'latin1');
    for (const cuts of [[], [1], [4], [8], [10]]) {
      const r = split(cut(src, cuts));
      expect(r.problems).toEqual([expect.objectContaining({ line: 4, offset: 9 })]);
    }
  });
});

describe('looksBinary', () => {
  const log = Buffer.from('Fri Nov 27 19:35:09 2026 Written file: /opt/conquest/data/1.dcm\r\n\tCalling Application Title : "CT01"\n', 'latin1');

  it('takes a log, latin1 and UTF-8 bytes, ESC sequences and NUL runs for text', () => {
    expect(looksBinary(log).binary).toBe(false);
    expect(looksBinary(Buffer.from('Müller^Jürgen ÿþ\n', 'latin1')).binary).toBe(false);
    expect(looksBinary(Buffer.from('Müller^Jürgen 山田\n', 'utf8')).binary).toBe(false);
    expect(looksBinary(Buffer.from('Yamada^Tarou=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B\n', 'latin1')).binary).toBe(false);
    expect(looksBinary(Buffer.concat([log, Buffer.alloc(4096), log])).binary).toBe(false);
    expect(looksBinary(Buffer.alloc(100)).binary).toBe(false);
    expect(looksBinary(Buffer.alloc(0)).binary).toBe(false);
    // One stray control byte in a short log is not enough.
    expect(looksBinary(Buffer.from('a\x01b\n', 'latin1')).binary).toBe(false);
  });

  it('takes random bytes for binary, whatever the seed', () => {
    let seed = 12345;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16;
    for (let k = 0; k < 50; k++) {
      const b = Buffer.alloc(512);
      for (let i = 0; i < b.length; i++) b[i] = rnd() & 0xff;
      expect(looksBinary(b).binary, `sample ${k}`).toBe(true);
    }
  });

  it('names known formats', () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR')]);
    expect(looksBinary(png)).toEqual({ binary: true, offset: 0, what: 'PNG image' });
    expect(looksBinary(Buffer.from([0x1f, 0x8b, 8, 0])).what).toBe('gzip data');
    expect(looksBinary(Buffer.from('PK\x03\x04\x14\x00', 'latin1')).what).toBe('zip archive');
    const dicom = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM')]);
    expect(looksBinary(dicom)).toEqual({ binary: true, offset: 128, what: 'DICOM file' });
  });

  it('gives the offset of the first control byte', () => {
    const b = Buffer.concat([Buffer.from('text'), Buffer.from(Array.from({ length: 40 }, (_, i) => (i % 8) + 1))]);
    expect(looksBinary(b)).toEqual({ binary: true, offset: 4 });
  });
});
