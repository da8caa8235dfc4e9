/** LaneFieldReader: what the analysis lane reads of a line besides its kind, as its consumer declared. */
import { describe, expect, it } from 'vitest';
import { LANE_EMPTY, LANE_KEYS, LANE_NO_FIELDS, LaneFieldReader } from '../../src/pipeline/lane.js';

const MSG = Buffer.from('Written file: /data/P1/1.2.3_0001_000001_17958079010000.dcm', 'latin1');

describe('LaneFieldReader', () => {
  it('reads the keys of a Written file line when the consumer reads only those', () => {
    const r = new LaneFieldReader({ fieldless: ['blank'], writtenKeysOnly: true });
    expect(r.read('written-file', MSG, 0, MSG.length)).toBe(LANE_KEYS);
    expect(r.fields(LANE_KEYS)).toEqual({ patientFolder: 'P1', seriesUid: '1.2.3', fileTime: 1795807901 });
  });

  it('gives no fields at all when the consumer declared the kind fieldless, even with keys wanted', () => {
    const r = new LaneFieldReader({ fieldless: ['written-file'], writtenKeysOnly: true });
    expect(r.read('written-file', MSG, 0, MSG.length)).toBe(LANE_EMPTY);
  });

  it('leaves the line to the full classifier when the consumer wants every field', () => {
    const r = new LaneFieldReader({ fieldless: [], writtenKeysOnly: false });
    expect(r.read('written-file', MSG, 0, MSG.length)).toBe(LANE_NO_FIELDS);
  });
});
