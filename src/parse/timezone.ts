/**
 * `--tz`: Conquest writes local wall-clock time with no zone (reference §1.1). Under `--tz ZONE`
 * each time gets that zone's UTC offset, so it names an instant. In the repeated hour after a
 * DST change the first offset is used unless the caller saw the clock jump back.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Throws a RangeError for an unknown zone name. */
export function checkZone(zone: string): void {
  formatter(zone);
}

/** Offset of `zone` from UTC at an instant, in minutes. */
export function offsetAt(zone: string, epochMs: number): number {
  const parts = formatter(zone).formatToParts(new Date(epochMs));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return Math.round((wall - Math.floor(epochMs / 1000) * 1000) / 60000);
}

function fmtOffset(min: number): string {
  const sign = min < 0 ? '-' : '+';
  const a = Math.abs(min);
  const h = Math.floor(a / 60);
  const m = a % 60;
  return `${sign}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}`;
}

/** Wall-clock ISO (`YYYY-MM-DDTHH:MM:SS`) as milliseconds, read as if it were UTC. */
export function wallMs(iso: string): number {
  return Date.UTC(
    Number(iso.slice(0, 4)),
    Number(iso.slice(5, 7)) - 1,
    Number(iso.slice(8, 10)),
    Number(iso.slice(11, 13)),
    Number(iso.slice(14, 16)),
    Number(iso.slice(17, 19)),
  );
}

export class ZoneMapper {
  private readonly cache = new Map<string, string[]>();
  constructor(private readonly zone: string) {
    checkZone(zone);
  }

  /** The possible offsets (1, or 2 in a repeated hour, or the nearest in a skipped hour) for a wall time. */
  private offsets(iso: string): string[] {
    const key = iso.slice(0, 16);
    let c = this.cache.get(key);
    if (!c) {
      const wall = wallMs(iso.slice(0, 16) + ':00');
      const cands = new Set<number>();
      for (const guess of [offsetAt(this.zone, wall - 14 * 3600e3), offsetAt(this.zone, wall + 14 * 3600e3)]) {
        const real = offsetAt(this.zone, wall - guess * 60000);
        if (real === guess) cands.add(guess);
      }
      if (cands.size === 0) cands.add(offsetAt(this.zone, wall)); // skipped hour: take the offset after the change
      c = [...cands].sort((a, b) => b - a).map(fmtOffset); // larger offset = earlier instant = first occurrence
      if (this.cache.size > 10000) this.cache.clear();
      this.cache.set(key, c);
    }
    return c;
  }

  /** Adds the zone offset to a local ISO time; `second` picks the later of two offsets in a repeated hour. */
  map(iso: string, second = false): string {
    const o = this.offsets(iso);
    return iso + (second && o.length > 1 ? o[1] : o[0]);
  }
}
