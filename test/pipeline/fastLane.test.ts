/** FastPrefix must read every Windows and ctime prefix as parsePrefix does, whatever changed since the line before. */
import { describe, expect, it } from 'vitest';
import { FastPrefix } from '../../src/pipeline/fastLane.js';
import { parsePrefix } from '../../src/parse/prefix.js';

/**
 * What FastPrefix says of each line, in sequence, and what parsePrefix says of it alone. FastPrefix
 * may hand a line over (null: the full parser reads it), but whatever it answers must be exact.
 */
function both(lines: string[]): { fast: (string | null)[]; full: (string | null)[] } {
  const fp = new FastPrefix();
  const fast: (string | null)[] = [];
  const full: (string | null)[] = [];
  for (const line of lines) {
    const buf = Buffer.from(line, 'latin1');
    const m = fp.messageStart(buf, 0, buf.length);
    fast.push(m === -1 ? null : `${fp.time}|${line.slice(m)}`);
    const p = parsePrefix(line);
    full.push(p.shape === 'ctime' || p.shape === 'win' ? `${p.time}|${p.msg}` : null);
  }
  return { fast, full };
}

describe('FastPrefix', () => {
  it('follows seconds, minutes, hours and days as parsePrefix reads them (ctime)', () => {
    const lines = [
      'Fri Nov 27 19:36:24 2026 C-Echo',
      'Fri Nov 27 19:36:24 2026 C-Echo',
      'Fri Nov 27 19:36:25 2026 C-Echo',
      'Fri Nov 27 19:37:00 2026 C-Echo',
      'Fri Nov 27 19:37:01 2026 C-Echo',
      'Fri Nov 27 19:37:59 2026 C-Echo',
      'Fri Nov 27 19:38:59 2026 C-Echo',
      'Fri Nov 27 19:38:09 2026 C-Echo',
      'Fri Nov 27 20:00:00 2026 C-Echo',
      'Fri Nov 27 23:59:59 2026 C-Echo',
      'Sat Nov 28 00:00:00 2026 C-Echo',
      'Sat Nov 28 00:00:01 2026 C-Echo',
      // Digits taken as written, even out of range, as parsePrefix takes them.
      'Sat Nov 28 29:75:99 2026 C-Echo',
      // Not digits where the time of day stands: not a prefix at all.
      'Sat Nov 28 00:0x:01 2026 C-Echo',
      'Sat Nov 28 00:00:01 2026 C-Echo',
      'Sat Nov 28 00:00-01 2026 C-Echo',
      'Sat Nov 28 00:00:01 2026 C-Echo',
      // The year moves alone, then back.
      'Sat Nov 28 00:00:01 2027 C-Echo',
      'Sat Nov 28 00:00:02 2026 C-Echo',
      // A space-padded day, then two digits.
      'Mon Nov  2 06:00:00 2026 C-Echo',
      'Mon Nov  2 06:00:01 2026 C-Echo',
      'Thu Nov 12 06:00:01 2026 C-Echo',
      // The same prefix with no space after it, then a longer word where the space was.
      'Thu Nov 12 06:00:01 2026',
      'Thu Nov 12 06:00:02 2026x C-Echo',
      'Thu Nov 12 06:00:02 2026 C-Echo',
    ];
    const { fast, full } = both(lines);
    // A prefix with no message after it is left to the full parser.
    const handedOver = lines.indexOf('Thu Nov 12 06:00:01 2026');
    expect(fast[handedOver]).toBeNull();
    expect(fast.map((f, i) => (i === handedOver ? full[i] : f))).toEqual(full);
  });

  it('follows Windows prefixes, and a switch between the two shapes', () => {
    const lines = [
      '20200722 14:03:05 C-Echo',
      '20200722 14:03:06 C-Echo',
      '20200722 14:59:59 C-Echo',
      '20200722 15:00:00 C-Echo',
      '20200723 00:00:00 C-Echo',
      '20200723 0a:00:00 C-Echo',
      '20200723 00:00:01 C-Echo',
      'Fri Nov 27 19:36:24 2026 C-Echo',
      '20200723 00:00:02 C-Echo',
      // Digits where the ctime prefix had its time of day, but a Windows line: read afresh.
      '20200723 00:00:03 C-Echo',
    ];
    const { fast, full } = both(lines);
    expect(fast).toEqual(full);
  });

  it('reads every second of a minute, and seconds out of range, in both shapes', () => {
    const lines: string[] = [];
    for (const minute of ['19:36', '19:37', '23:59']) {
      for (let sec = 0; sec < 100; sec += sec < 60 ? 1 : 13) {
        const ss = String(sec).padStart(2, '0');
        lines.push(`Fri Nov 27 ${minute}:${ss} 2026 C-Echo`, `20261127 ${minute}:${ss} C-Echo`, `Fri Nov 27 ${minute}:${ss} 2026 C-Echo`);
      }
    }
    const { fast, full } = both(lines);
    expect(fast.filter((f) => f !== null).length).toBeGreaterThan(lines.length * 0.9);
    expect(fast.map((f, i) => f ?? full[i])).toEqual(full);
  });
});
