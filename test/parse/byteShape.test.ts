/** Byte shapes of catalog regexes: the same answer as the regex wherever one compiles. */
import { describe, expect, it } from 'vitest';
import { CATALOG, classify, classifyBytes, forgetRecentStarts, literalStart } from '../../src/parse/catalog/index.js';
import { compileByteShape, matchByteShape, shapeAfter } from '../../src/parse/catalog/byteShape.js';
import { EventAssembler } from '../../src/parse/assemble.js';

/** The message texts of every sample line of the catalog (prefix removed, as the classifier sees them). */
function sampleMessages(): string[] {
  const out: string[] = [];
  for (const row of CATALOG) {
    for (const sample of row.samples) {
      const a = new EventAssembler('sample', { dateOrder: 'dmy' }, (e) => out.push(e.text), () => {});
      sample.line.split('\n').forEach((l, i) => a.line(l, 0, i + 1));
      a.end();
    }
  }
  return out.filter((t) => !/[\n\r]/.test(t) && !/[^\x00-\xff]/.test(t));
}

/** Variants of a text that land on either side of a pattern: cut, a character dropped, doubled or replaced, digits and minus put in. */
function mutations(t: string): string[] {
  const out = new Set<string>([t, '', t + ' ', t + '1', t + '-1', ' ' + t, '-' + t]);
  for (let i = 0; i <= t.length; i++) {
    out.add(t.slice(0, i));
    out.add(t.slice(i));
    if (i < t.length) {
      out.add(t.slice(0, i) + t.slice(i + 1));
      out.add(t.slice(0, i) + t[i] + t.slice(i));
      out.add(t.slice(0, i) + (/\d/.test(t[i]!) ? 'x' : '7') + t.slice(i + 1));
    }
    out.add(t.slice(0, i) + '-' + t.slice(i));
    out.add(t.slice(0, i) + '9' + t.slice(i));
  }
  return [...out];
}

const compiled = CATALOG.filter((r) => !r.multiline).map((row) => ({ row, shape: compileByteShape(row.pattern) })).filter((x) => x.shape !== null);

describe('byte shapes', () => {
  it('compile for the association frame rows every router log repeats', () => {
    const kinds = new Set(compiled.map((c) => c.row.kind));
    for (const k of ['thread-start', 'thread-end', 'thread-runtime', 'application-context', 'presentation-context']) expect(kinds, k).toContain(k);
  });

  it('answer as the regex does on every sample message and thousands of mutations of them', () => {
    const texts = sampleMessages();
    let compared = 0;
    let matched = 0;
    for (const { row, shape } of compiled) {
      // This row's own samples and their mutations, plus every other sample as it is.
      const own = row.samples.flatMap((s) => texts.filter((t) => s.line.includes(t) && t.length > 0));
      for (const t of [...new Set(own.flatMap(mutations)), ...texts]) {
        const buf = Buffer.from('##' + t + '##', 'latin1');
        const want = row.pattern.test(t);
        expect(matchByteShape(shape!, buf, 2, buf.length - 2), `${row.kind}: ${JSON.stringify(t)}`).toBe(want);
        // From after the literal start, as classifyBytes calls it.
        const lit = literalStart(row.pattern);
        const after = shapeAfter(shape!, Buffer.from(lit, 'latin1'));
        if (after !== null && t.startsWith(lit)) expect(matchByteShape(after, buf, 2 + lit.length, buf.length - 2), `${row.kind} after literal: ${JSON.stringify(t)}`).toBe(want);
        compared++;
        if (want) matched++;
      }
    }
    expect(compared).toBeGreaterThan(10_000);
    expect(matched).toBeGreaterThan(500);
  });

  it('decide digit runs and minus signs as the regex does', () => {
    const re = /^A (?<n>-?\d+) B (?<x>.+) C (?<m>-?\d+)$/;
    const shape = compileByteShape(re)!;
    expect(shape).not.toBeNull();
    for (const t of ['A 1 B x C 2', 'A -1 B x C -2', 'A --1 B x C 2', 'A 1 B x C --2', 'A - B x C 2', 'A 1 B  C 2', 'A 1 B x C', 'A 12 B C 3 C 4', 'A 1 B x C 2 ', 'A 1B x C 2', 'A 1 B x C 2-']) {
      const b = Buffer.from(t, 'latin1');
      expect(matchByteShape(shape, b, 0, b.length), t).toBe(re.test(t));
    }
  });

  it('refuse patterns whose matches would need backtracking or other syntax', () => {
    for (const re of [
      /^a\d+1$/, // a digit run before a digit
      /^a.*\d+$/, // a digit run right after the anything
      /^a\d+.*$/, // a digit run right before it
      /^a.*b.*c$/, // two anythings
      /^a[bc]$/, // a class
      /^a(?:b|c)$/, // alternation
      /^ab?$/, // a quantifier
      /^a.*?b$/, // lazy
      /^a\sb$/, // an escape class
      /^a/, // not anchored at the end
      /a$/, // not anchored at the start
      /^a$/i, // a flag
      /^a (?<n>\d+)$/m, // a flag
    ]) {
      expect(compileByteShape(re), re.source).toBeNull();
    }
    // Forwards, a literal minus before a digit run is fine: the run is taken whole up to the next literal.
    expect(compileByteShape(/^x-(?<n>\d+)b$/)).not.toBeNull();
    // Backwards, the literal before a digit run must not end in a digit or a minus.
    expect(compileByteShape(/^a.*x-(?<n>\d+)$/)).toBeNull();
    expect(compileByteShape(/^a.*x1(?<n>\d+)$/)).toBeNull();
    expect(compileByteShape(/^a.*x (?<n>\d+)$/)).not.toBeNull();
  });

  it('drop only a literal start the shape itself begins with', () => {
    const shape = compileByteShape(/^UPACS THREAD (?<thread>\d+): ENDED AT: (?<endedAt>.*)$/)!;
    expect(shapeAfter(shape, Buffer.from('UPACS THREAD ', 'latin1'))).not.toBeNull();
    expect(shapeAfter(shape, Buffer.from('UPACS THREAX ', 'latin1'))).toBeNull();
    expect(shapeAfter(shape, Buffer.from('UPACS THREAD 1', 'latin1'))).toBeNull(); // longer than the literal
  });

  it('leave classifyBytes giving the full classifier kind on the sample lines', () => {
    for (const t of sampleMessages()) {
      const buf = Buffer.from(t, 'latin1');
      const k = classifyBytes(buf, 0, buf.length);
      if (k !== null) expect(k, JSON.stringify(t)).toBe(classify(t).kind);
    }
  });
});

describe('recent message starts in classifyBytes', () => {
  /** Messages that share their first sixteen bytes with others but differ in length, tail or suffix. */
  function messages(): string[] {
    const out = new Set<string>();
    for (const row of CATALOG) for (const s of row.samples) out.add(s.line.replace(/^\S+ \S+ (?:\S+ \S+ \S+ )?/, ''));
    for (const head of ['Written file: ', 'Rewritten file: ', 'Sending file : ', 'Sending file: ', 'UPACS THREAD 12: ', 'Presentation Context ', 'Calling Application Title : "']) {
      for (const tail of ['', 'x', 'ab', 'abc', '/opt/conquest/data/123/1.2.3_0001_000001_17935992260000.dcm', ' ', '"', 'STARTED AT: Fri', 'ENDED AT: x', '"1.2.840" 1', 'PDU']) {
        out.add(head + tail);
        out.add('  ' + head + tail);
        out.add(head.slice(0, -1) + tail);
      }
    }
    return [...out].filter((t) => !/[\n\r]/.test(t) && !/[^\x00-\xff]/.test(t));
  }

  it('give every message the answer it gets with nothing remembered, whatever line came before', () => {
    const texts = messages();
    const bufs = texts.map((t) => Buffer.from(t, 'latin1'));
    const fresh = bufs.map((b) => {
      forgetRecentStarts();
      return classifyBytes(b, 0, b.length);
    });
    let hits = 0;
    for (let i = 0; i < bufs.length; i++) {
      for (let j = 0; j < bufs.length; j++) {
        forgetRecentStarts();
        classifyBytes(bufs[j]!, 0, bufs[j]!.length);
        const got = classifyBytes(bufs[i]!, 0, bufs[i]!.length);
        expect(got, `${JSON.stringify(texts[i])} after ${JSON.stringify(texts[j])}`).toBe(fresh[i]);
        if (got !== null && j !== i && texts[j]!.slice(0, 16) === texts[i]!.slice(0, 16)) hits++;
      }
    }
    expect(hits).toBeGreaterThan(50);
    // And with all four entries full, in one long run.
    forgetRecentStarts();
    for (let r = 0; r < 3; r++) for (let i = 0; i < bufs.length; i++) expect(classifyBytes(bufs[i]!, 0, bufs[i]!.length)).toBe(fresh[i]);
  });
});
