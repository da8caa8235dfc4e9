/** Event times as instants: plain wall times and `--tz` times with offsets (reference §1.1). */
import { describe, expect, it } from 'vitest';
import { compareTimes, instantMs } from '../../src/parse/timezone.js';

describe('compareTimes', () => {
  it('orders plain wall times as their text', () => {
    expect(compareTimes('2026-11-27T09:00:00', '2026-11-27T09:00:01')).toBe(-1);
    expect(compareTimes('2026-11-27T10:00:00', '2026-11-27T09:59:59')).toBe(1);
    expect(compareTimes('2026-11-27T09:00:00', '2026-11-27T09:00:00')).toBe(0);
  });

  it('orders the repeated hour after a DST change by instant, not by text', () => {
    // 02:50 summer time (+02:00) is 00:50 UTC; 02:10 winter time (+01:00) is 01:10 UTC.
    expect(compareTimes('2026-10-25T02:50:00+02:00', '2026-10-25T02:10:00+01:00')).toBe(-1);
    expect(compareTimes('2026-10-25T02:10:00+01:00', '2026-10-25T02:50:00+02:00')).toBe(1);
    expect(instantMs('2026-10-25T02:10:00+01:00') - instantMs('2026-10-25T02:50:00+02:00')).toBe(20 * 60_000);
    expect(instantMs('2026-07-01T00:00:00-05:30')).toBe(Date.parse('2026-07-01T05:30:00Z'));
  });

  it('is a total order: sorting any permutation gives one result', () => {
    const times = [
      '2026-10-25T01:59:00+02:00',
      '2026-10-25T02:10:00+02:00',
      '2026-10-25T02:59:59+02:00',
      '2026-10-25T02:00:05+01:00',
      '2026-10-25T02:30:00+01:00',
      '2026-10-25T03:00:01+01:00',
      // One instant written with two offsets: text decides, so the order is still total.
      '2026-10-25T01:30:00+01:00',
      '2026-10-25T02:30:00+02:00',
    ];
    const expected = [...times].sort(compareTimes);
    expect(expected.map(instantMs)).toEqual([...expected.map(instantMs)].sort((a, b) => a - b));
    for (let seed = 1; seed <= 50; seed++) {
      const shuffled = [...times];
      let s = seed;
      for (let i = shuffled.length - 1; i > 0; i--) {
        s = (s * 1103515245 + 12345) % 2147483648;
        const j = s % (i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      expect(shuffled.sort(compareTimes)).toEqual(expected);
    }
  });
});
