/**
 * Day/month order of the GUI's locale dates (reference §1.3 P3: `22-7-2020`, `7/22/2020 2:03:05 PM`,
 * `2024/4/26`, `22.10.2022`). Decided per file from the evidence: a first field above 12 means
 * day first, a second field above 12 means month first. Until a file shows evidence the parser
 * holds its GUI lines back (bounded), then falls back to a prior taken from the separator.
 */
import type { GuiDateParts } from './prefix.js';
import { isoLocal } from './prefix.js';

export type DateOrder = 'dmy' | 'mdy' | 'ymd';

export function isDateOrder(s: string): s is DateOrder {
  return s === 'dmy' || s === 'mdy' || s === 'ymd';
}

/** What one date says about the order, or null when it fits both. */
export function evidenceOf(d: GuiDateParts): DateOrder | null {
  if (d.yearFirst) return 'ymd';
  if (d.a > 12 && d.b <= 12) return 'dmy';
  if (d.b > 12 && d.a <= 12) return 'mdy';
  return null;
}

/**
 * The guess when a file gives no evidence: AM/PM clocks are en-US (month first); `-` (nl), `.` (de)
 * and a 24-hour `/` (en-GB, fr) are day-first locales.
 */
export function priorOf(d: GuiDateParts): DateOrder {
  if (d.yearFirst) return 'ymd';
  return d.ampm ? 'mdy' : 'dmy';
}

/** Days in a month of the Gregorian calendar. */
export function daysIn(y: number, mo: number): number {
  return mo === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
}

/** Two-digit years (`22-7-20`) are 20xx: Conquest's GUI postdates 2000. */
function year(n: number): number {
  return n < 100 ? 2000 + n : n;
}

export function guiIso(d: GuiDateParts, order: DateOrder, h: number, mi: number, s: number): string | null {
  let y: number;
  let mo: number;
  let day: number;
  if (d.yearFirst || order === 'ymd') {
    y = year(d.a);
    mo = d.b;
    day = d.c;
  } else if (order === 'mdy') {
    mo = d.a;
    day = d.b;
    y = year(d.c);
  } else {
    day = d.a;
    mo = d.b;
    y = year(d.c);
  }
  if (mo < 1 || mo > 12 || day < 1 || day > daysIn(y, mo) || h > 23 || mi > 59 || s > 60) return null;
  return isoLocal(y, mo, day, h, mi, s);
}
