/** The one generic catalog test: every row's sample lines yield its kind and the fields they name. */
import { describe, expect, it } from 'vitest';
import { CATALOG, literalStart } from '../../src/parse/catalog/index.js';
import { EventAssembler } from '../../src/parse/assemble.js';
import type { LogEvent } from '../../src/parse/event.js';

function parseSample(line: string): LogEvent[] {
  const out: LogEvent[] = [];
  const a = new EventAssembler('sample', { dateOrder: 'dmy' }, (e) => out.push(e), () => {});
  line.split('\n').forEach((l, i) => a.line(l, 0, i + 1));
  a.end();
  return out;
}

describe('message catalog', () => {
  it('has kebab-case kinds and at least one sample per row', () => {
    for (const row of CATALOG) {
      expect(row.kind, row.kind).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(row.samples.length, row.kind).toBeGreaterThan(0);
      expect(row.description.length, row.kind).toBeGreaterThan(5);
    }
  });

  for (const row of CATALOG) {
    row.samples.forEach((sample, i) => {
      it(`${row.kind} sample ${i + 1}`, () => {
        const events = parseSample(sample.line);
        expect(events[0]?.kind, JSON.stringify(sample.line)).toBe(row.kind);
        if (sample.fields) expect(events[0]!.fields).toMatchObject(sample.fields);
      });
    });
  }

  it('computes the literal start used for dispatch', () => {
    expect(literalStart(/^Written file: (?<p>.+)$/)).toBe('Written file: ');
    expect(literalStart(/^\*\*\*Error saving/)).toBe('***Error saving');
    expect(literalStart(/^Number of [Ii]mages/)).toBe('Number of ');
    expect(literalStart(/^ab?c/)).toBe('a');
    expect(literalStart(/^(?<x>a)/)).toBe('');
  });
});
