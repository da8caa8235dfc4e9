/**
 * Alerts (issue 4, item 4): `{ id, kind, time, source, line, text, … }`.
 * - `collision` and `phantom-risk`: always on, from the forensic engine; they embed the Collision
 *   or Warning object (`alert.collision`, `alert.warning`).
 * - `error` (`--alert error`): any `***` line (event kind `error`, or any event whose text holds `***`).
 * - `disk` (`--alert disk`): free-space alarms (`disk-space-alert`, `disk-space-cleanup`, `out-of-disk-space`).
 * The id is sha256 of the kind and a stable key (the collision's or warning's id; for lines the time
 * and the text, never the source, plus an occurrence number for identical lines in one second), so an
 * alert re-sent after a crash, or read again from the zip instead of the live file, has the same id.
 */
import { createHash } from 'node:crypto';
import type { Collision, Warning } from '../explain/types.js';
import type { Fields, FieldValue, LogEvent } from '../parse/event.js';
import type { Redactor } from '../report/redact.js';
import type { Finding } from './forensics.js';

export type AlertKind = 'collision' | 'phantom-risk' | 'error' | 'disk';
/** The kinds `--alert` can add (the forensic ones are always on). */
export const OPTIONAL_KINDS = ['error', 'disk'] as const;
export type OptionalKind = (typeof OPTIONAL_KINDS)[number];

export const DISK_KINDS: ReadonlySet<string> = new Set(['disk-space-alert', 'disk-space-cleanup', 'out-of-disk-space']);

export interface Alert {
  id: string;
  kind: AlertKind;
  time: string | null;
  source: string;
  line: number;
  text: string;
  /** The event kind of the line that raised it. */
  event: string;
  offset: number;
  fields?: Fields;
  collision?: Collision;
  warning?: Warning;
}

export function alertId(kind: AlertKind, ...key: (string | number | null)[]): string {
  return createHash('sha256')
    .update([kind, ...key.map((k) => (k === null ? '\u0001' : String(k)))].join('\u0000'), 'utf8')
    .digest('hex');
}

/** Occurrence numbers of identical (kind, time, text) lines, kept only for the current second. */
export class RepeatCounter {
  private time: string | null = null;
  private counts = new Map<string, number>();

  constructor(saved: { key: string; count: number }[] = [], time: string | null = null) {
    for (const r of saved) this.counts.set(r.key, r.count);
    this.time = time;
  }

  next(kind: string, time: string | null, text: string): number {
    if (time !== this.time) {
      this.time = time;
      this.counts.clear();
    }
    const key = kind + '\u0000' + text;
    const n = this.counts.get(key) ?? 0;
    this.counts.set(key, n + 1);
    return n;
  }

  save(): { time: string | null; list: { key: string; count: number }[] } {
    return { time: this.time, list: [...this.counts.entries()].map(([key, count]) => ({ key, count })) };
  }
}

/** The alerts one event raises (before de-duplication against the ids already sent). */
export function alertsFor(e: LogEvent, findings: readonly Finding[], optional: ReadonlySet<OptionalKind>, repeats: RepeatCounter): Alert[] {
  const out: Alert[] = [];
  const base = { time: e.time, source: e.source, line: e.line, offset: e.offset, text: e.text, event: e.kind };
  for (const f of findings) {
    if (f.type === 'collision') out.push({ id: alertId('collision', f.collision.id), kind: 'collision', ...base, collision: f.collision });
    else out.push({ id: alertId('phantom-risk', f.warning.id), kind: 'phantom-risk', ...base, warning: f.warning });
  }
  const lineKey = (kind: AlertKind): (string | number | null)[] =>
    // Lines without a time (untimestamped logs) are told apart by their offset, which the zipped copy shares.
    e.time === null ? [null, e.text, e.offset] : [e.time, e.text, repeats.next(kind, e.time, e.text)];
  if (optional.has('error') && (e.kind === 'error' || e.text.includes('***'))) {
    out.push({ id: alertId('error', ...lineKey('error')), kind: 'error', ...base, fields: e.fields });
  }
  if (optional.has('disk') && DISK_KINDS.has(e.kind)) {
    out.push({ id: alertId('disk', ...lineKey('disk')), kind: 'disk', ...base, fields: e.fields });
  }
  return out;
}

function learnFromCollision(r: Redactor, c: Collision): void {
  if (/patientid/i.test(c.column) || /patientid/i.test(c.key.column)) {
    r.learn(c.oldValue);
    r.learn(c.refusedValue);
  }
  if (/patientid/i.test(c.key.column)) r.learn(c.key.value);
}

/** A redacted copy: ids and names learnt from the fields and the embedded objects, then replaced everywhere. */
export function redactAlert(a: Alert, r: Redactor): Alert {
  if (a.fields) r.learnFromFields(a.event, a.fields);
  if (a.collision) learnFromCollision(r, a.collision);
  if (a.warning && a.warning.patientFolder) r.learn(a.warning.patientFolder);
  const out: Alert = { ...a, text: r.text(a.text) };
  if (a.fields) out.fields = r.value(a.fields) as Fields;
  if (a.collision) out.collision = { ...(r.value(a.collision as unknown as FieldValue) as unknown as Collision), id: a.collision.id };
  if (a.warning) out.warning = { ...(r.value(a.warning as unknown as FieldValue) as unknown as Warning), id: a.warning.id };
  return out;
}

/** One line of text output: `time  kind  source:line  text  [id]`. */
export function alertLine(a: Alert): string {
  const first = a.text.split('\n')[0]!;
  let extra = '';
  if (a.collision) extra = `  (${a.collision.table}.${a.collision.column}: old ${a.collision.oldValue}, refused ${a.collision.refusedValue}; ${a.collision.cause})`;
  if (a.warning) extra = `  (${a.warning.imageCount} image(s) for ${a.warning.destinationAe ?? '?'}${a.warning.patientFolder ? `, folder ${a.warning.patientFolder}` : ''})`;
  return `${a.time ?? '-'.padEnd(19)}  ${a.kind.toUpperCase()}  ${a.source}:${a.line}  ${first}${extra}  [${a.id.slice(0, 12)}]`;
}
