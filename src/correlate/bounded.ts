/**
 * A Map with a size bound: the oldest entries (by insertion) go first, and are counted. Hits do
 * not refresh an entry: a true LRU would cost a delete and an insert on every `Written file`.
 */
export class BoundedMap<K, V> {
  private map = new Map<K, V>();
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
    if (this.map.size >= this.max) {
      const oldest = this.map.keys().next();
      if (!oldest.done) {
        this.map.delete(oldest.value);
        this.evicted++;
      }
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
    for (const [k, v] of j.entries) m.map.set(k, v);
    return m;
  }
}
