/**
 * The timeline as inline SVG: one lane per association or AE, one column per event in time order,
 * a break mark where more than an hour passes. Markers: the failed retrieve (red cross), the phantom
 * rows (orange diamond), refusals (dark red square), objects not stored (hollow square), the resolution
 * (green circle), other retrieve lines (grey dot). All text is escaped.
 */
import { esc } from './escape.js';
import type { Marker, TimelineEvent } from './model.js';

const LANE_H = 38;
const LABEL_W = 270;
const COL_W = 46;
const BREAK_W = 70;
const TOP = 78;
const BOTTOM = 16;
/** Columns drawn at most; later events are listed in the tables only. */
export const MAX_SVG_EVENTS = 400;

function seconds(t: string | null): number | null {
  if (!t) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(t);
  if (!m) return null;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000;
}

function gapLabel(s: number): string {
  if (s >= 86400 * 2) return `+${Math.round(s / 86400)} d`;
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return m > 0 ? `+${h} h ${m} min` : `+${h} h`;
}

function marker(kind: Marker, x: number, y: number): string {
  switch (kind) {
    case 'failed-retrieve':
      return `<g class="m-failed"><circle cx="${x}" cy="${y}" r="10" fill="#fde2e2" stroke="#b91c1c" stroke-width="2"/><path d="M${x - 5} ${y - 5}L${x + 5} ${y + 5}M${x + 5} ${y - 5}L${x - 5} ${y + 5}" stroke="#b91c1c" stroke-width="2.5"/></g>`;
    case 'phantom-rows':
      return `<path class="m-phantom" d="M${x} ${y - 10}L${x + 10} ${y}L${x} ${y + 10}L${x - 10} ${y}Z" fill="#f59e0b" stroke="#92400e" stroke-width="1.5"/>`;
    case 'refusal':
      return `<rect class="m-refusal" x="${x - 7}" y="${y - 7}" width="14" height="14" fill="#7f1d1d"/>`;
    case 'not-stored':
      return `<rect class="m-notstored" x="${x - 6}" y="${y - 6}" width="12" height="12" fill="#fff" stroke="#7f1d1d" stroke-width="2"/>`;
    case 'resolution':
      return `<circle class="m-resolution" cx="${x}" cy="${y}" r="9" fill="#16a34a"/>`;
    case 'retrieve':
      return `<circle class="m-retrieve" cx="${x}" cy="${y}" r="5" fill="#475569"/>`;
    default:
      return `<circle class="m-other" cx="${x}" cy="${y}" r="4" fill="#94a3b8"/>`;
  }
}

export function timelineSvg(events: TimelineEvent[], lanes: string[], opts: { id: string; title: string }): string {
  const shown = events.slice(0, MAX_SVG_EVENTS);
  // x positions: one column per event; a break column where the clock jumps by more than an hour.
  const xs: number[] = [];
  const breaks: { x: number; label: string }[] = [];
  let x = LABEL_W + COL_W / 2;
  let prev: number | null = null;
  for (const e of shown) {
    const s = seconds(e.time);
    if (prev !== null && s !== null && s - prev > 3600) {
      breaks.push({ x: x - COL_W / 2 + BREAK_W / 2, label: gapLabel(s - prev) });
      x += BREAK_W;
    }
    xs.push(x);
    x += COL_W;
    if (s !== null) prev = s;
  }
  const width = Math.max(x - COL_W / 2 + 20, LABEL_W + 200);
  const height = TOP + lanes.length * LANE_H + BOTTOM;
  const laneY = (lane: string): number => TOP + lanes.indexOf(lane) * LANE_H + LANE_H / 2;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" id="${esc(opts.id)}" role="img" aria-labelledby="${esc(opts.id)}-t" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" preserveAspectRatio="xMinYMin meet">`,
    `<title id="${esc(opts.id)}-t">${esc(opts.title)}</title>`,
  );
  lanes.forEach((lane, i) => {
    const y = TOP + i * LANE_H;
    out.push(
      `<rect x="0" y="${y}" width="${width}" height="${LANE_H}" fill="${i % 2 === 0 ? '#f8fafc' : '#eef2f7'}"/>`,
      `<text class="lane" x="8" y="${y + LANE_H / 2 + 4}">${esc(lane.length > 40 ? lane.slice(0, 39) + '…' : lane)}<title>${esc(lane)}</title></text>`,
    );
  });
  out.push(`<line x1="${LABEL_W - 6}" y1="${TOP}" x2="${LABEL_W - 6}" y2="${height - BOTTOM}" stroke="#cbd5e1"/>`);
  for (const b of breaks) {
    out.push(
      `<line class="gap" x1="${b.x}" y1="36" x2="${b.x}" y2="${height - BOTTOM}" stroke="#64748b" stroke-dasharray="4 3"/>`,
      `<text class="gap" x="${b.x}" y="30" text-anchor="middle">${esc(b.label)}</text>`,
    );
  }
  // Time labels: the date when it changes, the time when it changes.
  let lastDate = '';
  let lastTime = '';
  shown.forEach((e, i) => {
    const t = e.time ?? '';
    const date = t.slice(0, 10);
    const time = t.slice(11, 19);
    if (t && t !== lastTime) {
      if (date !== lastDate) out.push(`<text class="date" x="${xs[i]! - 4}" y="14" text-anchor="start">${esc(date)}</text>`);
      out.push(`<text class="time" x="${xs[i]}" y="${TOP - 8}" text-anchor="start" transform="rotate(-35 ${xs[i]} ${TOP - 8})">${esc(time)}</text>`);
      lastDate = date;
      lastTime = t;
    }
  });
  shown.forEach((e, i) => {
    const cx = xs[i]!;
    const cy = laneY(e.lane);
    out.push(
      `<g class="ev" data-marker="${esc(e.marker)}"><line x1="${cx}" y1="${TOP}" x2="${cx}" y2="${height - BOTTOM}" stroke="#e2e8f0" stroke-width="1"/>${marker(e.marker, cx, cy)}` +
        `<title>${esc(`${e.time ?? '?'}  ${e.label}${e.ref ? `  (${e.ref})` : ''}\n${e.text}`)}</title></g>`,
    );
  });
  if (events.length > shown.length) out.push(`<text x="${width - 8}" y="${height - 3}" text-anchor="end" class="more">${events.length - shown.length} more events in the table</text>`);
  out.push('</svg>');
  return out.join('\n');
}

/** The legend, as HTML (with small inline SVG swatches). */
export function legendHtml(): string {
  const item = (m: Marker, label: string): string =>
    `<span class="legend-item"><svg width="24" height="24" viewBox="-12 -12 24 24" aria-hidden="true">${marker(m, 0, 0)}</svg>${esc(label)}</span>`;
  return `<p class="legend">${item('failed-retrieve', 'failed retrieve (destination refused)')}${item('phantom-rows', 'phantom rows made')}${item('refusal', 'refusal')}${item('not-stored', 'object not stored')}${item('resolution', 'resolution')}${item('retrieve', 'other retrieve line')}</p>`;
}
