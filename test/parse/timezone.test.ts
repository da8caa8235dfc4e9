/** wallMs and utcMs give what Date.UTC gives, for every field a log time can carry. */
import { describe, expect, it } from 'vitest';
import { utcMs, wallMs } from '../../src/parse/timezone.js';
import { rng } from '../../src/common/rng.js';

describe('utcMs', () => {
  it('equals Date.UTC on dates across centuries, leap days and carried-over fields', () => {
    const rnd = rng(5);
    const pick = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
    const fixed: number[][] = [
      [1970, 0, 1, 0, 0, 0], [2000, 1, 29, 23, 59, 59], [1900, 1, 29, 0, 0, 0], [2100, 1, 29, 0, 0, 0],
      [2024, 11, 31, 24, 0, 0], [2024, 12, 1, 0, 0, 0], [2024, -1, 1, 0, 0, 0], [99, 0, 1, 0, 0, 0], [0, 0, 1, 0, 0, 0],
      [100, 0, 1, 0, 0, 0], [-1, 0, 1, 0, 0, 0], [-401, 5, 0, 0, 0, 0], [275760, 8, 13, 0, 0, 0], [275760, 8, 13, 0, 0, 1],
    ];
    for (const f of fixed) expect(utcMs(f[0]!, f[1]!, f[2]!, f[3]!, f[4]!, f[5]!), f.join(',')).toBe(Date.UTC(f[0]!, f[1]!, f[2]!, f[3]!, f[4]!, f[5]!));
    for (let i = 0; i < 20000; i++) {
      const f = [pick(-600, 10000), pick(-30, 130), pick(-100, 130), pick(-50, 130), pick(-50, 130), pick(-50, 130)];
      expect(utcMs(f[0]!, f[1]!, f[2]!, f[3]!, f[4]!, f[5]!), f.join(',')).toBe(Date.UTC(f[0]!, f[1]!, f[2]!, f[3]!, f[4]!, f[5]!));
    }
  });

  it('reads an ISO wall time, and any bytes in its place, as Date.UTC of its fields would', () => {
    expect(wallMs('2026-11-28T07:30:05')).toBe(Date.parse('2026-11-28T07:30:05Z'));
    const rnd = rng(9);
    const n2 = (s: string, at: number): number => (s.charCodeAt(at) - 48) * 10 + (s.charCodeAt(at + 1) - 48);
    for (let i = 0; i < 5000; i++) {
      let s = '';
      for (let k = 0; k < 19; k++) s += String.fromCharCode(rnd() < 0.8 ? 48 + Math.floor(rnd() * 10) : Math.floor(rnd() * 256));
      const want = Date.UTC(n2(s, 0) * 100 + n2(s, 2), n2(s, 5) - 1, n2(s, 8), n2(s, 11), n2(s, 14), n2(s, 17));
      expect(wallMs(s), JSON.stringify(s)).toBe(want);
    }
  });
});
