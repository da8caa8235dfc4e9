/**
 * A Map with a size bound: the oldest entries (by insertion) go first, and are counted. Hits do
 * not refresh an entry: a true LRU would cost a delete and an insert on every `Written file`.
 * The keys are also kept in a ring in insertion order: finding the oldest through the Map's own
 * iterator walks over every entry deleted before it, which made a full map quadratic.
 */
export class BoundedMap<K, V> {
  private map = new Map<K, V>();
  /** Keys in insertion order; once full, `head` is the oldest and the next to go. */
  private ring: K[] = [];
  private head = 0;
  evicted = 0;

  constructor(readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  get(k: K): V | undefined {
    return this.map.get(k);
  }

  has(k: K): boolean {
    return this.map.has(k);
  }

  /** Returns the entry, creating it with `make` when absent. */
  upsert(k: K, make: () => V): V {
    let v = this.map.get(k);
    if (v !== undefined) return v;
    v = make();
    if (this.ring.length < this.max) this.ring.push(k);
    else if (this.max > 0) {
      this.map.delete(this.ring[this.head]!);
      this.evicted++;
      this.ring[this.head] = k;
      this.head = (this.head + 1) % this.max;
    } else {
      // A bound of 0 keeps nothing: the entry is dropped at once, and counted.
      this.evicted++;
      return v;
    }
    this.map.set(k, v);
    return v;
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }

  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }

  toJSON(): { max: number; evicted: number; entries: [K, V][] } {
    return { max: this.max, evicted: this.evicted, entries: [...this.map.entries()] };
  }

  static fromJSON<K, V>(j: { max: number; evicted: number; entries: [K, V][] }): BoundedMap<K, V> {
    const m = new BoundedMap<K, V>(j.max);
    m.evicted = j.evicted;
    for (const [k, v] of j.entries) m.upsert(k, () => v);
    return m;
  }
}
