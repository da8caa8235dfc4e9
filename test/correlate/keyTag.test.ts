/** keyTag, the integer compared before the strings in the engine's short lists of recent keys. */
import { describe, expect, it } from 'vitest';
import { keyTag } from '../../src/correlate/keyTag.js';
import { ForensicEngine } from '../../src/correlate/engine.js';
import { eventsOf } from './logBuilder.js';

describe('keyTag', () => {
  it('is the same integer for equal strings, built apart, of any length (empty and one-character ones too)', () => {
    for (const s of ['', 'P', '12', '19886658', '1.2.840.113619.2.55.3.604688119.868.645625398.898734', 'M\u00fcller^Hans']) {
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

  it('lets the engine find a recent folder/series pair given as equal strings that are other objects', () => {
    const log = [
      'Fri Nov 27 10:00:00 2026 UPACS THREAD 1: STARTED AT: Fri Nov 27 10:00:00 2026',
      'Fri Nov 27 10:00:00 2026 \tCalling Application Title : "CT01            "',
      'Fri Nov 27 10:00:00 2026 \tCalled Application Title : "ROUTER          "',
      'Fri Nov 27 10:00:00 2026 \tPresentation Context 0 "1.2.840.10008.5.1.4.1.1.2" 1',
      'Fri Nov 27 10:00:01 2026 Written file: /data/P/1.2_0001_000001_17958079010000.dcm',
    ].join('\n');
    for (const folder of ['P', '']) {
      const engine = new ForensicEngine();
      for (const e of eventsOf('r/serverstatus.log', log.replace('/data/P/', `/data/${folder}/`))) engine.push(e);
      const fields = { patientFolder: [...folder].join(''), seriesUid: ['1', '.2'].join(''), fileTime: 1795807902 };
      // A folder is tracked only when there is one: the empty folder is never a recent pair.
      expect(engine.absorbWritten('written-file', '2026-11-27T10:00:02', 'r/serverstatus.log', fields)).toBe(folder !== '');
    }
  });
});
