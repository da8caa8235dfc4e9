/** The one generic catalog test: every row's sample lines yield its kind and the fields they name. */
import { describe, expect, it } from 'vitest';
import { alternativeStarts, catalogStats, CATALOG, literalStart } from '../../src/parse/catalog/index.js';
import { EventAssembler } from '../../src/parse/assemble.js';
import type { LogEvent } from '../../src/parse/event.js';

function parseSample(line: string): LogEvent[] {
  const out: LogEvent[] = [];
  const a = new EventAssembler('sample', { dateOrder: 'dmy' }, (e) => out.push(e), () => {});
  line.split('\n').forEach((l, i) => a.line(l, 0, i + 1));
  a.end();
  return out;
}

/** Loose rows that have neither a literal start nor a `contains` hint (each costs a regex per unmatched line). */
const UNHINTED_LOOSE_ALLOWED = new Set(['dicom-dump', 'gui-message']);

describe('message catalog', () => {
  it('has kebab-case kinds and at least one sample per row', () => {
    for (const row of CATALOG) {
      expect(row.kind, row.kind).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(row.samples.length, row.kind).toBeGreaterThan(0);
      expect(row.description.length, row.kind).toBeGreaterThan(5);
      expect(row.ref.length, row.kind).toBeGreaterThan(1);
    }
  });

  for (const row of CATALOG) {
    row.samples.forEach((sample, i) => {
      it(`${row.kind} sample ${i + 1}`, () => {
        const events = parseSample(sample.line);
        expect(events[0]?.kind, JSON.stringify(sample.line)).toBe(row.kind);
        if (sample.fields) expect(events[0]!.fields).toMatchObject(sample.fields);
        if (row.contains !== undefined) expect(events[0]!.text).toContain(row.contains);
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

  it('files a pattern opening with literal alternatives under each of them', () => {
    expect(alternativeStarts(/^(?:Creating test table|Adding a record)$/)).toEqual(['Creating test table', 'Adding a record']);
    expect(alternativeStarts(/^(?<m>Hashed|Indexed) +query/)).toEqual(['Hashed', 'Indexed']);
    expect(alternativeStarts(/^(?:(?<a>Hashing found|hashing entered) record|enter query)/)).toEqual(['Hashing found', 'hashing entered', 'enter query']);
    expect(alternativeStarts(/^(?:\*\*\* )?Queue: /)).toEqual([]); // the group may be skipped
    expect(alternativeStarts(/^(?:Abc|M)onitoring/)).toEqual([]); // one alternative is too short
    expect(alternativeStarts(/^(?<c>[A-Za-z]*)converter/)).toEqual([]);
    expect(alternativeStarts(/^Written file: /)).toEqual(['Written file: ']);
    // A short literal before the group leads every alternative.
    expect(alternativeStarts(/^\((?<m>PatientRoot|StudyRoot)Query\) /)).toEqual(['(PatientRoot', '(StudyRoot']);
    expect(alternativeStarts(/^\((?:Ab|Cd)x/)).toEqual([]); // still too short with the lead
    expect(alternativeStarts(/^\((?:Abc|Def)?x/)).toEqual([]); // the group may be skipped
    expect(alternativeStarts(/^ab?(?:cde|fgh)/)).toEqual([]); // the lead may lose its last character
  });

  it('keeps the loose list short: loose rows start with a literal or carry a contains hint', () => {
    const { loose, buckets } = catalogStats();
    expect(buckets).toBeGreaterThan(50);
    const unhinted = loose.filter((l) => l.literal === '' && l.contains === undefined).map((l) => l.kind);
    expect(unhinted.filter((k) => !UNHINTED_LOOSE_ALLOWED.has(k))).toEqual([]);
    expect(loose.length).toBeLessThanOrEqual(20);
  });

  it('applies the contains hint before the pattern', () => {
    // `set … from GUI` is loose with contains ' from GUI': a line without it is not that kind.
    expect(parseSample('20200722 14:03:05 set debug log from GUI')[0]!.kind).toBe('gui-command');
    expect(parseSample('20200722 14:03:05 set debug log from somewhere')[0]!.kind).toBe('unknown');
  });
});

describe('classify, texts seen again', () => {
  it('answers a repeated text as the first time, with fields of its own each time', async () => {
    const { classify } = await import('../../src/parse/catalog/index.js');
    const text = '\tCalling Application Title : "MEMO01          "';
    const first = classify(text);
    expect(first).toMatchObject({ kind: 'calling-ae', fields: { ae: 'MEMO01' } });
    first.fields.pacsName = 'ROUTER'; // the assembler adds to an event's fields
    for (let i = 0; i < 3; i++) {
      const again = classify(text);
      expect(again.fields).toEqual({ ae: 'MEMO01' });
      expect(again.fields).not.toBe(first.fields);
      again.fields.ae = 'CHANGED';
    }
    expect(classify(text, false)).toMatchObject({ kind: 'calling-ae', fields: {} });
    expect(classify(text).fields).toEqual({ ae: 'MEMO01' });
  });

  it('gives the same answers whether texts repeat or not, over thousands of distinct texts', async () => {
    const { classify } = await import('../../src/parse/catalog/index.js');
    const texts: string[] = [];
    for (let i = 0; i < 6000; i++) {
      texts.push(`UPACS THREAD ${i}: STARTED AT: Fri Nov 27 19:31:10 2026`);
      texts.push(`\tPresentation Context ${i % 7} "1.2.840.10008.5.1.4.1.1.${i % 13}" 1`);
      texts.push(`***Refused to enter inconsistent link PatientID into DICOMStudies: PatientID = '${i % 5}' StudyInsta = '1.2.${i % 3}', Old='9', Refused='${i % 5}'`);
    }
    // The answer to each text, fresh (first sight), then again after thousands of others.
    const fresh = texts.map((t) => JSON.stringify(classify(t)));
    expect(new Set(fresh.map((f) => JSON.parse(f).kind))).toEqual(new Set(['thread-start', 'presentation-context', 'refused-link']));
    expect(texts.map((t) => JSON.stringify(classify(t)))).toEqual(fresh);
  });
});
