/**
 * The report's view model: what every renderer shows, derived from an AnalysisResult alone.
 * A collision becomes a summary, a timeline (events on lanes, one lane per association or AE the
 * evidence shows) and its remediation; warnings and inputs are listed as they are.
 */
import type { AnalysisResult, CauseId, Collision, Evidence, SitePatientIdShape, Warning } from '../explain/types.js';
import { remediationSteps, warningRemediationSteps, type RemediationStep } from '../explain/remediation.js';
import { compareOptionalTimes } from '../parse/timezone.js';

export interface ReportOptions {
  /** Only the collision on this StudyInstanceUID (or collision key / id). */
  study?: string;
  /** When the report was made, shown in the header; left out when absent (snapshots). */
  generatedAt?: string;
  /** True when the result was redacted: the report says so. */
  redacted?: boolean;
  /** The title; default "Conquest post-mortem". */
  title?: string;
}

export type Marker = 'failed-retrieve' | 'phantom-rows' | 'refusal' | 'not-stored' | 'resolution' | 'retrieve' | 'other';

export interface TimelineEvent {
  /** Local time as logged, or null. */
  time: string | null;
  lane: string;
  marker: Marker;
  /** A short label: "destination refused the connection". */
  label: string;
  /** `source:line`, or null for a derived event (the phantom rows, the resolution). */
  ref: string | null;
  kind: string;
  text: string;
}

export interface CollisionView {
  collision: Collision;
  title: string;
  summary: string;
  causeLabel: string;
  events: TimelineEvent[];
  lanes: string[];
  resolution: string;
  steps: RemediationStep[];
}

export interface WarningView {
  warning: Warning;
  title: string;
  summary: string;
  events: TimelineEvent[];
  lanes: string[];
  steps: RemediationStep[];
}

export interface ReportModel {
  title: string;
  generatedAt: string | null;
  redacted: boolean;
  collisions: CollisionView[];
  warnings: WarningView[];
  result: AnalysisResult;
  /** The study asked for with --study, when given. */
  study: string | null;
}

export const CAUSE_LABELS: Record<CauseId, string> = {
  'phantom-from-failed-retrieve': 'Phantom database rows left by a failed retrieve',
  'patient-id-changed-at-source': 'PatientID changed at the source',
  'series-reused-across-studies': 'Series UID reused in another study',
  'image-moved-across-series': 'Image UID reused in another series',
  unexplained: 'Not explained by the logs read',
};

const plural = (n: number, one: string, many = one + 's'): string => `${n} ${n === 1 ? one : many}`;

/** True when a collision is about the given study (or key, or collision id). */
export function collisionMatches(c: Collision, q: string): boolean {
  const v = q.trim();
  return c.studyUid === v || c.key.value === v || c.id === v;
}

/** Quoted AE in `C-Move Destination: "WS2 "` or `Host 'WS2' …`. */
function aeIn(e: Evidence): string | null {
  const m = /C-Move Destination: "([^"]*)"/.exec(e.text) ?? /^Host '([^']*)'/.exec(e.text);
  return m ? m[1]!.trim() : null;
}

const MOVE_KINDS = new Set(['move-destination', 'images-to-send', 'host-refused', 'move-done', 'accepted-compression', 'sending-file', 'host-rejects-image', 'virtual-collecting', 'virtual-move-error', 'virtual-grabbed']);
const RESOLUTION_KINDS = new Set(['missing-file', 'deleting-image-entry', 'deleting-image-file', 'written-file', 'could-not-find-file', 'retrieve-failed-files']);

function markerOf(e: Evidence): Marker {
  const role = e.role ?? '';
  if (e.kind === 'virtual-row-added') return 'phantom-rows';
  if (e.kind === 'refused-link') return 'refusal';
  if (e.kind === 'sql-save-error' || e.kind === 'virtual-db-problem') return 'not-stored';
  if (e.kind === 'host-refused') return 'failed-retrieve';
  if (RESOLUTION_KINDS.has(e.kind)) return 'resolution';
  if (MOVE_KINDS.has(e.kind) || /retrieve/.test(role)) return 'retrieve';
  return 'other';
}

/** Requesting AE of a collision's failed retrieve: a calling-AE line if one is evidence, else the explanation's "X asked the router". */
function requesterOf(c: Collision): string | null {
  const calling = c.evidence.find((e) => e.kind === 'calling-ae');
  if (calling) {
    const m = /"([^"]*)"/.exec(calling.text);
    if (m) return m[1]!.trim();
  }
  const m = /(\S+) asked the router to move/.exec(c.explanation);
  return m ? m[1]! : null;
}

/** Builds the lanes and events of a list of evidence. */
function timeline(evidence: Evidence[], ctx: { requester: string | null; refusedId: string | null; oldId: string | null; phantom: boolean; resolvedAt: string | null; resolvedHow: string | null }): { events: TimelineEvent[]; lanes: string[] } {
  const events: TimelineEvent[] = [];
  // Group the lines of one retrieve: consecutive move lines of the same source.
  let moveLane: string | null = null;
  let moveKey = '';
  const byRef = new Map(evidence.map((e) => [`${e.source}:${e.line}`, e]));
  for (let i = 0; i < evidence.length; i++) {
    const e = evidence[i]!;
    const next = byRef.get(`${e.source}:${e.line + 1}`);
    const marker = markerOf(e);
    let lane: string;
    if (marker === 'retrieve' || marker === 'failed-retrieve' || (marker === 'phantom-rows' && moveLane)) {
      const dest = aeIn(e);
      const key = `${e.source}`;
      if (e.kind === 'move-destination' || moveLane === null || key !== moveKey) {
        // A new retrieve: its destination is named by this line or a following one of the same source.
        const group = evidence.slice(i).filter((x) => x.source === e.source && MOVE_KINDS.has(x.kind) && x.line - e.line < 50);
        const d = dest ?? group.map(aeIn).find((x) => x !== null) ?? '?';
        moveLane = `${ctx.requester ?? '?'} → ${d} (C-MOVE)`;
        moveKey = key;
      }
      lane = moveLane;
    } else if (marker === 'refusal' || marker === 'not-stored' || e.kind === 'inconsistent') {
      const inVirtual = e.kind === 'virtual-db-problem' || next?.kind === 'virtual-db-problem' || /virtual/.test(e.role ?? '');
      lane = inVirtual ? `retrieve by ${ctx.refusedId ?? '?'} (virtual query)` : `C-STORE as ${ctx.refusedId ?? '?'}`;
    } else if (marker === 'resolution') {
      lane = 'clean-up and resolution';
    } else if (marker === 'phantom-rows') {
      lane = 'router database';
    } else {
      lane = 'other';
    }
    events.push({ time: e.time, lane, marker, label: e.role ?? e.kind, ref: `${e.source}:${e.line}`, kind: e.kind, text: e.text });
    // The rows are made while the retrieve looks for images: mark them where the count is logged.
    if (ctx.phantom && e.kind === 'images-to-send' && !evidence.some((x) => x.kind === 'virtual-row-added')) {
      const n = /(\d+)/.exec(e.text)?.[1];
      events.push({
        time: e.time,
        lane: 'router database',
        marker: 'phantom-rows',
        label: `${n ? plural(Number(n), 'phantom row') : 'phantom rows'} on MAG0.0${ctx.oldId ? ` under '${ctx.oldId}'` : ''}`,
        ref: null,
        kind: 'derived',
        text: `Database rows made for ${n ?? 'the'} image(s) of the retrieve, on the virtual device MAG0.0, without files${ctx.oldId ? `, PatientID '${ctx.oldId}'` : ''}.`,
      });
    }
  }
  if (ctx.resolvedAt) {
    events.push({ time: ctx.resolvedAt, lane: 'clean-up and resolution', marker: 'resolution', label: 'resolved', ref: null, kind: 'derived', text: ctx.resolvedHow ?? 'resolved' });
  }
  // Time order, stable (evidence comes sorted; the resolution may need to move). Untimed events
  // come first, as in sortEvidence, so the comparator is a total order.
  const ordered = events.map((ev, i) => ({ ev, i })).sort((a, b) => compareOptionalTimes(a.ev.time, b.ev.time) || a.i - b.i);
  const out = ordered.map((x) => x.ev);
  const lanes: string[] = [];
  for (const ev of out) if (!lanes.includes(ev.lane)) lanes.push(ev.lane);
  return { events: out, lanes };
}

function collisionView(c: Collision, site?: SitePatientIdShape): CollisionView {
  const isPid = c.column.toLowerCase() === 'patientid';
  const bsn = (v: boolean): string => (v ? ' (a BSN)' : '');
  const what = c.studyUid ? `study ${c.studyUid}` : `${c.key.column} ${c.key.value}`;
  const title = isPid
    ? `${what}: refused under PatientID '${c.refusedValue}', stored under '${c.oldValue}'${bsn(c.oldLooksLikeBsn)}`
    : `${c.table} ${c.column}: '${c.refusedValue}' refused, '${c.oldValue}' stored (${c.key.column} ${c.key.value})`;
  const status = c.resolvedAt ? `It was resolved at ${c.resolvedAt}${c.resolvedHow ? ` (${c.resolvedHow})` : ''}.` : 'It was not resolved in the logs read.';
  const summary =
    `Conquest refused ${plural(c.refusals, 'object')} of ${what} ` +
    `between ${c.firstSeen ?? '?'} and ${c.lastSeen ?? '?'}: its ${c.table}.${c.column} already holds '${c.oldValue}'${bsn(c.oldLooksLikeBsn)}, ` +
    `and the objects arrived with '${c.refusedValue}'${bsn(c.refusedLooksLikeBsn)}. None of the refused objects was stored. ` +
    `Most likely cause: ${CAUSE_LABELS[c.cause].toLowerCase()} (${c.confidence} confidence). ${status}`;
  const tl = timeline(c.evidence, {
    requester: requesterOf(c),
    refusedId: isPid ? c.refusedValue : null,
    oldId: isPid ? c.oldValue : null,
    phantom: c.cause === 'phantom-from-failed-retrieve',
    resolvedAt: c.resolvedAt,
    resolvedHow: c.resolvedHow,
  });
  const resolution = c.resolvedAt
    ? `Resolved at ${c.resolvedAt}: ${c.resolvedHow ?? 'no details'}.`
    : `Not resolved in the logs read: the last refusal was at ${c.lastSeen ?? '?'}, and no later line shows the study stored under '${c.refusedValue}' or its rows removed.`;
  return { collision: c, title, summary, causeLabel: CAUSE_LABELS[c.cause], events: tl.events, lanes: tl.lanes, resolution, steps: remediationSteps(c, site) };
}

function warningView(w: Warning, site: SitePatientIdShape): WarningView {
  const who = `${w.requestingAe ?? '?'} → ${w.destinationAe ?? '?'}`;
  const title = `Phantom risk: ${who} at ${w.time ?? '?'}`;
  const folder = w.patientFolder ? ` The rows are under PatientID '${w.patientFolder}'${w.patientFolderLooksLikeBsn ? ' (a BSN)' : ''}.` : '';
  const summary =
    `A retrieve by ${w.requestingAe ?? '?'} to ${w.destinationAe ?? '?'} found ${plural(w.imageCount, 'image')}, and the destination refused the connection. ` +
    `On a virtual server this leaves database rows without files; a later push of the same study under another PatientID will be refused.${folder}`;
  const evs: TimelineEvent[] = w.evidence.map((e) => {
    const marker = e.kind === 'host-refused' ? 'failed-retrieve' : 'retrieve';
    return { time: e.time, lane: `${w.requestingAe ?? '?'} → ${w.destinationAe ?? '?'} (C-MOVE)`, marker, label: e.role ?? e.kind, ref: `${e.source}:${e.line}`, kind: e.kind, text: e.text };
  });
  const count = w.evidence.find((e) => e.kind === 'images-to-send');
  if (count) {
    const at = evs.findIndex((e) => e.kind === 'images-to-send');
    evs.splice(at + 1, 0, {
      time: count.time,
      lane: 'router database',
      marker: 'phantom-rows',
      label: `${plural(w.imageCount, 'possible phantom row')} on MAG0.0`,
      ref: null,
      kind: 'derived',
      text: `Database rows probably made for ${plural(w.imageCount, 'image')}, without files.`,
    });
  }
  const lanes: string[] = [];
  for (const ev of evs) if (!lanes.includes(ev.lane)) lanes.push(ev.lane);
  return { warning: w, title, summary, events: evs, lanes, steps: warningRemediationSteps(w, site) };
}

export function buildModel(result: AnalysisResult, opts: ReportOptions = {}): ReportModel {
  const collisions = opts.study ? result.collisions.filter((c) => collisionMatches(c, opts.study!)) : result.collisions;
  return {
    title: opts.title ?? 'Conquest post-mortem',
    generatedAt: opts.generatedAt ?? null,
    redacted: opts.redacted ?? false,
    collisions: collisions.map((c) => collisionView(c, result.site)),
    warnings: result.warnings.map((w) => warningView(w, result.site)),
    result,
    study: opts.study ?? null,
  };
}

/** Every event of the report, for the search index: collisions' and warnings' timelines. */
export interface SearchDoc {
  id: string;
  section: string;
  time: string;
  ref: string;
  kind: string;
  label: string;
  text: string;
}

export function searchDocs(m: ReportModel): SearchDoc[] {
  const docs: SearchDoc[] = [];
  m.collisions.forEach((v, ci) =>
    v.events.forEach((e, i) => docs.push({ id: `c${ci}-${i}`, section: `collision ${ci + 1}`, time: e.time ?? '', ref: e.ref ?? '', kind: e.kind, label: e.label, text: e.text })),
  );
  m.warnings.forEach((v, wi) =>
    v.events.forEach((e, i) => docs.push({ id: `w${wi}-${i}`, section: `warning ${wi + 1}`, time: e.time ?? '', ref: e.ref ?? '', kind: e.kind, label: e.label, text: e.text })),
  );
  return docs;
}
