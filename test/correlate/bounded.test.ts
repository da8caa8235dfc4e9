/** BoundedMap: the oldest insertions go first, each eviction is counted, and a restored map keeps its order. */
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../src/correlate/bounded.js';

describe('BoundedMap', () => {
  it('evicts in insertion order, hits do not refresh, and counts what it dropped', () => {
    const m = new BoundedMap<string, { n: number }>(3);
    for (const k of ['a', 'b', 'c']) m.upsert(k, () => ({ n: 0 }));
    m.upsert('a', () => ({ n: 99 })).n++; // a hit: same entry, no refresh
    expect(m.get('a')).toEqual({ n: 1 });
    m.upsert('d', () => ({ n: 0 }));
    expect([...m.entries()].map(([k]) => k)).toEqual(['b', 'c', 'd']);
    for (const k of ['e', 'f', 'g', 'h']) m.upsert(k, () => ({ n: 0 }));
    expect([...m.entries()].map(([k]) => k)).toEqual(['f', 'g', 'h']);
    expect(m.evicted).toBe(5);
    expect(m.size).toBe(3);
  });

  it('stays bounded and linear over a long run of new keys', () => {
    const m = new BoundedMap<number, number>(1000);
    for (let i = 0; i < 200_000; i++) m.upsert(i, () => i);
    expect(m.size).toBe(1000);
    expect(m.evicted).toBe(199_000);
    expect(m.has(198_999)).toBe(false);
    expect(m.get(199_000)).toBe(199_000);
  });

  it('with a bound of 0 keeps nothing and counts every entry it dropped', () => {
    const m = new BoundedMap<string, number>(0);
    expect(m.upsert('a', () => 1)).toBe(1);
    expect(m.upsert('a', () => 2)).toBe(2);
    expect(m.size).toBe(0);
    expect(m.evicted).toBe(2);
  });

  it('round-trips through JSON and goes on evicting the oldest first', () => {
    const m = new BoundedMap<string, number>(3);
    for (const k of ['a', 'b', 'c', 'd']) m.upsert(k, () => k.charCodeAt(0));
    const back = BoundedMap.fromJSON<string, number>(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back.evicted).toBe(1);
    back.upsert('e', () => 0);
    expect([...back.entries()].map(([k]) => k)).toEqual(['c', 'd', 'e']);
    expect(back.evicted).toBe(2);
  });
});
