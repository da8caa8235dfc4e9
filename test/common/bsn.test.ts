import { describe, expect, it } from 'vitest';
import { looksLikeBsn } from '../../src/common/bsn.js';

describe('looksLikeBsn', () => {
  it('accepts 9-digit values that pass the 11-check', () => {
    expect(looksLikeBsn('123456782')).toBe(true); // 9·1+8·2+7·3+6·4+5·5+4·6+3·7+2·8−2 = 154 = 14·11
    expect(looksLikeBsn('111222333')).toBe(true);
  });
  it('rejects a wrong check digit, other lengths and non-digits', () => {
    expect(looksLikeBsn('123456789')).toBe(false);
    expect(looksLikeBsn('12345678')).toBe(false); // 8 digits are never flagged
    expect(looksLikeBsn('0123456782')).toBe(false);
    expect(looksLikeBsn('12345678A')).toBe(false);
    expect(looksLikeBsn('000000000')).toBe(false);
    expect(looksLikeBsn('')).toBe(false);
    expect(looksLikeBsn(null)).toBe(false);
  });
  it('flags about one in eleven random 9-digit numbers, never an 8-digit one', () => {
    let nine = 0;
    let eight = 0;
    for (let i = 0; i < 11000; i++) {
      if (looksLikeBsn(String(100000000 + i * 7919))) nine++;
      if (looksLikeBsn(String(10000000 + i * 797))) eight++;
    }
    expect(nine).toBeGreaterThan(800);
    expect(nine).toBeLessThan(1200);
    expect(eight).toBe(0);
  });
});
