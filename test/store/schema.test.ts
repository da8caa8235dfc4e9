/** Index times: isCalendarTime says exactly when the integer seconds give a time back as written. */
import { describe, expect, it } from 'vitest';
import { intToTime, isCalendarTime, timeToInt } from '../../src/store/schema.js';

const roundTrips = (t: string): boolean => intToTime(timeToInt(t)) === t;

describe('isCalendarTime', () => {
  it('agrees with the seconds round trip on edge cases', () => {
    const cases = [
      '2024-02-29T23:59:59', '2023-02-29T00:00:00', '2000-02-29T12:00:00', '1900-02-29T12:00:00', '2024-04-31T10:00:00',
      '2024-12-31T23:59:59', '2024-13-01T00:00:00', '2024-00-10T00:00:00', '2024-01-00T00:00:00', '2024-01-01T24:00:00',
      '2024-01-01T00:60:00', '2024-01-01T00:00:60', '0000-00-00T00:00:00', '0099-01-01T00:00:00', '0100-01-01T00:00:00',
      '1970-01-01T00:00:00', '2024-13-99T10:00:00', '9999-12-31T23:59:59',
    ];
    for (const t of cases) expect(isCalendarTime(t), t).toBe(roundTrips(t));
  });

  it('agrees with the seconds round trip on many generated times', () => {
    let seed = 7;
    const r = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const p = (v: number, w: number): string => String(v).padStart(w, '0');
    for (let i = 0; i < 20000; i++) {
      const t = `${p(r(3000), 4)}-${p(r(14), 2)}-${p(r(33), 2)}T${p(r(26), 2)}:${p(r(62), 2)}:${p(r(62), 2)}`;
      expect(isCalendarTime(t), t).toBe(roundTrips(t));
    }
  });
});
