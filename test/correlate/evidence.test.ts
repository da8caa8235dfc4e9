import { describe, expect, it } from 'vitest';
import { isTroubleCopy, serverOf } from '../../src/correlate/evidence.js';
import { sortEvidence } from '../../src/correlate/engine.js';
import type { Evidence } from '../../src/explain/types.js';

describe('server and copy identity of a source', () => {
  it('puts a folder\'s archives and live logs on one server, also for the current folder', () => {
    expect(serverOf('logs/logs_20261126.zip!serverstatus.log')).toBe(serverOf('serverstatus.log'));
    expect(serverOf('samples/incident/logs/logs_20261126.zip!serverstatus.log')).toBe('samples/incident');
    expect(serverOf('D:/conquest/logs/logs_1.zip!PacsTrouble.log')).toBe(serverOf('D:/conquest/serverstatus.log'));
    expect(serverOf('a/serverstatus.log')).not.toBe(serverOf('b/serverstatus.log'));
  });
  it('knows PacsTrouble.log and the GUI log hold copies of *** lines', () => {
    expect(isTroubleCopy('x/logs/logs_1.zip!PacsTrouble.log')).toBe(true);
    expect(isTroubleCopy('x/conquestdicomserver.log')).toBe(true);
    expect(isTroubleCopy('x/serverstatus.log')).toBe(false);
  });
});

describe('sortEvidence', () => {
  const ev = (source: string, line: number, time: string | null): Evidence => ({ source, line, time, kind: 'k', text: `${source}:${line}` });

  it('keeps each source in line order within one second, whatever the input order', () => {
    const t = '2026-11-27T09:00:00';
    // Input order that a position-based tie-break turns into a cycle (PT:9 < SS:4 < PT:8 < PT:9).
    const list = [ev('PacsTrouble.log', 9, t), ev('serverstatus.log', 4, t), ev('PacsTrouble.log', 8, t), ev('serverstatus.log', 3, t)];
    const sorted = sortEvidence(list).map((e) => e.text);
    // The server log first: PacsTrouble.log's lines here are copies of its *** lines.
    expect(sorted).toEqual(['serverstatus.log:3', 'serverstatus.log:4', 'PacsTrouble.log:8', 'PacsTrouble.log:9']);
    for (let r = 0; r < list.length; r++) {
      const rotated = [...list.slice(r), ...list.slice(0, r)];
      const out = sortEvidence(rotated).map((e) => e.text);
      expect(out.filter((x) => x.startsWith('PacsTrouble'))).toEqual(['PacsTrouble.log:8', 'PacsTrouble.log:9']);
      expect(out.filter((x) => x.startsWith('serverstatus'))).toEqual(['serverstatus.log:3', 'serverstatus.log:4']);
    }
  });

  it("puts PacsTrouble.log's Inconsistent line before the refusal it accompanies, and its copy of the refusal after the original", () => {
    const t = '2026-11-27T09:14:53';
    const inconsistent: Evidence = { source: 'x/PacsTrouble.log', line: 1, time: t, kind: 'inconsistent', text: 'PT:1' };
    const copy: Evidence = { source: 'x/PacsTrouble.log', line: 2, time: t, kind: 'refused-link', text: 'PT:2' };
    const original: Evidence = { source: 'x/serverstatus.log', line: 30, time: t, kind: 'refused-link', text: 'SS:30' };
    const next: Evidence = { source: 'x/serverstatus.log', line: 31, time: '2026-11-27T09:14:54', kind: 'sql-save-error', text: 'SS:31' };
    for (const list of [[inconsistent, copy, original, next], [next, original, copy, inconsistent], [copy, next, inconsistent, original]]) {
      expect(sortEvidence(list).map((e) => e.text)).toEqual(['PT:1', 'SS:30', 'PT:2', 'SS:31']);
    }
  });

  it('orders --tz times as instants across a DST fold, untimed lines first, duplicates once', () => {
    const list = [ev('s.log', 5, '2026-10-25T02:10:00+01:00'), ev('s.log', 2, '2026-10-25T02:50:00+02:00'), ev('s.log', 9, null), ev('s.log', 2, '2026-10-25T02:50:00+02:00')];
    expect(sortEvidence(list).map((e) => e.line)).toEqual([9, 2, 5]);
  });
});
