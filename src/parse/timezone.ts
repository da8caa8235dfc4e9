/**
 * `--tz`: Conquest writes local wall-clock time with no zone (reference §1.1). Under `--tz ZONE`
 * each time gets that zone's UTC offset, so it names an instant. In the repeated hour after a
 * DST change the caller picks the offset that keeps the log moving forward (see assemble.ts).
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

export function fmtOffset(min: number): string {
  const sign = min < 0 ? '-' : '+';
  const a = Math.abs(min);
  const h = Math.floor(a / 60);
  const m = a % 60;
  return `${sign}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}`;
}

function n2(s: string, at: number): number {
  return (s.charCodeAt(at) - 48) * 10 + (s.charCodeAt(at + 1) - 48);
}

/** Wall-clock ISO (`YYYY-MM-DDTHH:MM:SS`) as milliseconds, read as if it were UTC (char codes, no slices). */
export function wallMs(iso: string): number {
  return Date.UTC(n2(iso, 0) * 100 + n2(iso, 2), n2(iso, 5) - 1, n2(iso, 8), n2(iso, 11), n2(iso, 14), n2(iso, 17));
}

/** How a wall-clock time maps to UTC in a zone. */
export interface ZoneCandidates {
  /** Possible UTC offsets in minutes, earliest instant first: one, or two in a repeated (fold) hour. */
  offsets: number[];
  /** True when the wall time does not exist (the spring-forward gap); `offsets` then holds the offset before the change. */
  gap: boolean;
}

export class ZoneMapper {
  private readonly cache = new Map<string, ZoneCandidates>();
  constructor(readonly zone: string) {
    checkZone(zone);
  }

  /** The offsets a wall time can have in this zone (cached per minute). */
  candidates(iso: string): ZoneCandidates {
    const key = iso.slice(0, 16);
    let c = this.cache.get(key);
    if (!c) {
      const wall = wallMs(key + ':00');
      const cands = new Set<number>();
      for (const guess of [offsetAt(this.zone, wall - 14 * 3600e3), offsetAt(this.zone, wall + 14 * 3600e3)]) {
        const real = offsetAt(this.zone, wall - guess * 60000);
        if (real === guess) cands.add(guess);
      }
      if (cands.size === 0) {
        // Skipped hour: as Temporal's 'compatible' disambiguation, read it with the offset in force
        // before the change (02:30 in a 02:00→03:00 gap is the instant of 03:30 after it).
        c = { offsets: [offsetAt(this.zone, wall - 14 * 3600e3)], gap: true };
      } else {
        c = { offsets: [...cands].sort((a, b) => b - a), gap: false }; // larger offset = earlier instant = first pass
      }
      if (this.cache.size > 10000) this.cache.clear();
      this.cache.set(key, c);
    }
    return c;
  }

  /** Adds the zone offset to a local ISO time; `second` picks the later of two offsets in a repeated hour. */
  map(iso: string, second = false): string {
    const o = this.candidates(iso).offsets;
    return iso + fmtOffset(second && o.length > 1 ? o[1]! : o[0]!);
  }
}

/**
 * UTC instant (ms) of an event time: `YYYY-MM-DDTHH:MM:SS` read as UTC, less its `±HH:MM` offset
 * when it has one (times under `--tz`).
 */
export function instantMs(time: string): number {
  const ms = wallMs(time);
  if (time.length < 25) return ms;
  const sign = time.charCodeAt(19) === 45 /* - */ ? -1 : 1;
  return ms - sign * (n2(time, 20) * 60 + n2(time, 23)) * 60000;
}

/**
 * Orders two event times as instants. Plain wall times compare as text (their text order is their
 * time order); times with an offset (`--tz`) compare as UTC instants, so in the repeated hour after
 * a DST change `02:10+01:00` comes after `02:50+02:00`. Equal instants fall back to text, so the order is total.
 */
export function compareTimes(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length !== 19 || b.length !== 19) {
    const d = instantMs(a) - instantMs(b);
    if (d !== 0 && Number.isFinite(d)) return d < 0 ? -1 : 1;
  }
  return a < b ? -1 : 1;
}

/** compareTimes with untimed (null) first, as an empty time would sort. */
export function compareOptionalTimes(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return compareTimes(a, b);
}
