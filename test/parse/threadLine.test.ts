/** The byte reading of `UPACS THREAD n:` lines gives exactly the `thread` the catalog gives, or declines. */
import { describe, expect, it } from 'vitest';
import { classify, classifyBytes } from '../../src/parse/catalog/index.js';
import { readThreadNumber, THREAD_LINE_KINDS } from '../../src/parse/catalog/threadLine.js';
import { generate } from '../../src/tools/generate-big.js';

/** Reads a message from the middle of a larger buffer, as the lane does. */
function read(message: string): number | null {
  const buf = Buffer.from(`Fri Nov 27 19:31:10 2026 ${message}\nnext line`, 'latin1');
  return readThreadNumber(buf, 25, 25 + Buffer.byteLength(message, 'latin1'));
}

/** The lane reads a thread number only where classifyBytes gave one of the thread kinds. */
function laneKind(message: string): string | null {
  const buf = Buffer.from(message, 'latin1');
  return classifyBytes(buf, 0, buf.length);
}

describe('readThreadNumber', () => {
  const lines = [
    'UPACS THREAD 0: STARTED AT: Fri Nov 27 19:31:10 2026',
    'UPACS THREAD 12: ENDED AT: Wed Jul 22 14:03:27 2020',
    'UPACS THREAD 12: TOTAL RUNNING TIME: 22 SECONDS',
    'UPACS THREAD 007: TOTAL RUNNING TIME: -1 SECONDS',
    'UPACS THREAD 4294967295: STARTED AT: garbled',
    '\t UPACS THREAD 31: ENDED AT: Wed Jul 22 14:03:27 2020',
  ];
  for (const line of lines) {
    it(`gives the catalog's thread for ${JSON.stringify(line)}`, () => {
      const c = classify(line);
      expect(THREAD_LINE_KINDS.has(c.kind)).toBe(true);
      expect(laneKind(line)).toBe(c.kind);
      expect(read(line)).toBe(c.fields.thread);
    });
  }

  it('declines what it cannot read exactly', () => {
    expect(read('UPACS THREAD : STARTED AT: x')).toBeNull();
    expect(read('UPACS THREAD 12 STARTED AT: x')).toBeNull();
    expect(read('UPACS THREAD 1234567890123456: STARTED AT: x')).toBeNull(); // beyond a double's exact digits
    expect(read('UPACS THREAD 12')).toBeNull();
    expect(read('Written file: /a/b.dcm')).toBeNull();
  });

  it('agrees with the catalog on every thread line of a generated log', async () => {
    const chunks: Buffer[] = [];
    await generate({ size: 400_000, seed: 5 }, (c) => void chunks.push(c));
    let n = 0;
    for (const line of Buffer.concat(chunks).toString('latin1').split('\n')) {
      const message = line.slice(25);
      const c = classify(message);
      if (!THREAD_LINE_KINDS.has(c.kind)) continue;
      n++;
      expect(read(message), message).toBe(c.fields.thread);
    }
    expect(n).toBeGreaterThan(100);
  });
});
