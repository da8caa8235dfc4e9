/** Compact references to log lines, kept as evidence. */
import type { LogEvent } from '../parse/event.js';
import type { Evidence } from '../explain/types.js';
import { wallMs } from '../parse/timezone.js';

/** Evidence of an event; `reading` is its source's reading (Evidence.gen), marked when not the first. */
export function ref(e: LogEvent, role?: string, reading = 0): Evidence {
  const ev: Evidence = { source: e.source, line: e.line, time: e.time, kind: e.kind, text: e.text };
  if (role) ev.role = role;
  if (reading > 0) ev.gen = reading;
  return ev;
}

/** A line's place in one file: by reading (a later reading after a rotation comes later), then line number. */
export function compareInFile(a: { line: number; gen?: number }, b: { line: number; gen?: number }): number {
  return (a.gen ?? 0) - (b.gen ?? 0) || a.line - b.line;
}

/** A key naming one line of one reading of a source. */
export function lineKey(e: Evidence): string {
  return `${e.gen ?? 0}:${e.source}:${e.line}`;
}

/** Seconds since the epoch of a local wall-clock time, read as UTC (only differences matter). */
let lastWallIn: string | null = null;
let lastWallOut: number | null = null;
export function wallSeconds(time: string | null): number | null {
  if (time === null) return null;
  if (time === lastWallIn) return lastWallOut;
  lastWallIn = time;
  lastWallOut = computeWallSeconds(time);
  return lastWallOut;
}

function computeWallSeconds(time: string): number | null {
  const ms = wallMs(time);
  return Number.isFinite(ms) ? ms / 1000 : null;
}

/** The Conquest server a source belongs to: its folder, with `logs/logs_*.zip!entry` folded in. */
let lastServerIn = '';
let lastServerOut = '.';
/** Sources seen (a run reads a few files; cleared if it ever holds many), so alternating sources cost a lookup. */
const serverBySource = new Map<string, string>();
export function serverOf(source: string): string {
  if (source === lastServerIn) return lastServerOut;
  let server = serverBySource.get(source);
  if (server === undefined) {
    if (serverBySource.size >= 4096) serverBySource.clear();
    server = computeServerOf(source);
    serverBySource.set(source, server);
  }
  lastServerIn = source;
  lastServerOut = server;
  return server;
}

function computeServerOf(source: string): string {
  const bang = source.indexOf('!');
  let p = bang === -1 ? source : source.slice(0, bang);
  // `folder/logs/logs_X.zip!entry` and `logs/logs_X.zip!entry` (the current folder) are the folder's server.
  if (/^logs\/[^/]*\.(zip|gz)$/i.test(p)) return '.';
  p = p.replace(/\/logs\/[^/]*\.(zip|gz)$/i, '/x');
  const slash = p.lastIndexOf('/');
  return slash === -1 ? '.' : p.slice(0, slash);
}

/** True for PacsTrouble.log (and the GUI's conquestdicomserver.log): copies of `***` lines. */
export function isTroubleCopy(source: string): boolean {
  const base = source.slice(Math.max(source.lastIndexOf('/'), source.lastIndexOf('!')) + 1).toLowerCase();
  return base.startsWith('pacstrouble') || base.startsWith('conquestdicomserver');
}
