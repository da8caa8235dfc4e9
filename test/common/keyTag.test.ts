/** keyTag, the integer compared before the strings in the engine's short lists of recent keys. */
import { describe, expect, it } from 'vitest';
import { keyTag } from '../../src/common/keyTag.js';

describe('keyTag', () => {
  it('is the same integer for equal strings, built apart, of any length (empty and one-character ones too)', () => {
    for (const s of ['', 'P', '12', '19886658', '1.2.840.113619.2.55.3.604688119.868.645625398.898734', 'M\u00fcller^Hans', '\u0141\u00f3d\u017a', '\u4e2d\u6587']) {
      const rebuilt = [...s].join('');
      const t = keyTag(s);
      // An integer: a NaN would never equal itself, and the key would never be found again.
      expect(Number.isInteger(t), JSON.stringify(s)).toBe(true);
      expect(keyTag(rebuilt)).toBe(t);
    }
  });

  it('tells apart keys of one length that differ in their last two characters', () => {
    expect(keyTag('19886658')).not.toBe(keyTag('19886659'));
    expect(keyTag('19886658')).not.toBe(keyTag('19886648'));
    expect(keyTag('1.2.3.45')).not.toBe(keyTag('1.2.3.4'));
  });
});
