/**
 * The HTML post-mortem: one self-contained file that works offline. Inline CSS and JS only, a CSP that
 * forbids every network fetch, timelines as inline SVG, and a search box over every event of the
 * report backed by a lunr index built here in Node and embedded as JSON (with lunr's own source inlined,
 * read from node_modules at render time). Every piece of log text is escaped.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import lunr from 'lunr';
import type { AnalysisResult, Evidence } from '../explain/types.js';
import { esc, jsonForScript, scriptSource } from './escape.js';
import { buildModel, searchDocs, type CollisionView, type ReportModel, type ReportOptions, type SearchDoc, type TimelineEvent, type WarningView } from './model.js';
import type { RemediationStep } from '../explain/remediation.js';
import { legendHtml, timelineSvg } from './svg.js';

export const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

let lunrSource: string | null = null;
/** lunr's browser build, read once from node_modules. */
export function lunrBrowserSource(): string {
  if (lunrSource === null) {
    const require = createRequire(import.meta.url);
    let file: string;
    try {
      file = require.resolve('lunr/lunr.min.js');
    } catch {
      file = require.resolve('lunr');
    }
    lunrSource = readFileSync(file, 'utf8');
  }
  return lunrSource;
}

/** The serialised lunr index over the documents. */
export function buildSearchIndex(docs: SearchDoc[]): object {
  const idx = lunr(function () {
    this.ref('id');
    this.field('text');
    this.field('label');
    this.field('kind');
    this.field('ref');
    this.field('time');
    this.field('section');
    for (const d of docs) this.add(d);
  });
  return idx.toJSON();
}

const CSS = `
:root { --fg:#0f172a; --muted:#475569; --line:#e2e8f0; --accent:#1e3a8a; --bad:#991b1b; --ok:#166534; }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--fg); margin: 0 auto; max-width: 1200px; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 20px; margin-top: 36px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 22px 0 8px; color: var(--accent); }
.meta { color: var(--muted); margin: 0 0 16px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; background: #e0e7ff; color: var(--accent); }
.badge.high { background: #dcfce7; color: var(--ok); } .badge.medium { background: #fef9c3; color: #854d0e; } .badge.low { background: #fee2e2; color: var(--bad); }
.status-open { color: var(--bad); font-weight: 600; } .status-resolved { color: var(--ok); font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f1f5f9; }
td.log, code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
td.log { white-space: pre-wrap; word-break: break-all; }
td.ref { overflow-wrap: anywhere; min-width: 12em; }
td.time { white-space: nowrap; }
pre { background: #0f172a; color: #e2e8f0; padding: 10px 12px; border-radius: 6px; white-space: pre-wrap; word-break: break-all; }
.svgwrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
svg.timeline text { font: 12px system-ui, sans-serif; fill: #0f172a; }
svg.timeline text.time, svg.timeline text.date { font-size: 11px; fill: #334155; }
svg.timeline text.gap { font-size: 11px; fill: #64748b; font-style: italic; }
svg.timeline g.ev:hover line { stroke: #94a3b8; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; color: var(--muted); font-size: 12px; }
.legend-item { display: inline-flex; align-items: center; gap: 4px; }
ol.steps > li { margin-bottom: 14px; } .caveat { color: var(--muted); font-style: italic; }
#search { position: sticky; top: 0; background: #fff; padding: 8px 0; border-bottom: 1px solid var(--line); z-index: 2; }
#search input { width: 100%; max-width: 520px; padding: 6px 10px; font-size: 14px; border: 1px solid #94a3b8; border-radius: 6px; }
#search-results:empty { display: none; }
#search-status { color: var(--muted); font-size: 12px; margin: 4px 0; }
tr:target { background: #fef9c3; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  #search { display: none; }
  section.collision { break-before: page; }
  .svgwrap { overflow: visible; border: none; }
  svg.timeline { max-width: 100%; height: auto; }
  pre { background: #fff; color: #000; border: 1px solid #999; }
  tr, li, pre, svg { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  h2, h3 { break-after: avoid; }
}
`;

const SEARCH_JS = `
(function () {
  var data = JSON.parse(document.getElementById('cqlog-data').textContent);
  var docs = {};
  data.docs.forEach(function (d) { docs[d.id] = d; });
  var idx = null;
  try { idx = lunr.Index.load(data.index); } catch (e) { idx = null; }
  var input = document.getElementById('q');
  var body = document.getElementById('search-results');
  var status = document.getElementById('search-status');
  function tokens(q) {
    return q.toLowerCase().split(/[\\s\\-]+/).map(function (t) { return t.replace(/^\\W+|\\W+$/g, ''); }).filter(function (t) { return t.length > 0; });
  }
  function scan(ts) {
    return data.docs.filter(function (d) {
      var hay = (d.text + ' ' + d.label + ' ' + d.kind + ' ' + d.ref + ' ' + d.time).toLowerCase();
      return ts.every(function (t) { return hay.indexOf(t) >= 0; });
    });
  }
  // lunr's ranked hits first, then any event holding every term as a substring (log tokens such as
  // paths or UIDs are not split the way a reader types them).
  function find(q) {
    var ts = tokens(q);
    if (ts.length === 0) return [];
    var hits = [];
    if (idx) {
      try {
        hits = idx.query(function (qq) {
          ts.forEach(function (t) {
            qq.term(t, { presence: lunr.Query.presence.OPTIONAL });
            qq.term(t, { usePipeline: false, wildcard: lunr.Query.wildcard.TRAILING, boost: 0.5 });
          });
        }).map(function (r) { return docs[r.ref]; }).filter(Boolean);
      } catch (e) { hits = []; }
    }
    var seen = {};
    hits.forEach(function (d) { seen[d.id] = true; });
    scan(ts).forEach(function (d) { if (!seen[d.id]) { seen[d.id] = true; hits.push(d); } });
    return hits;
  }
  function cell(tr, text, cls) { var td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); return td; }
  function show() {
    var q = input.value;
    while (body.firstChild) body.removeChild(body.firstChild);
    if (q.trim() === '') { status.textContent = ''; return; }
    var hits = find(q);
    status.textContent = hits.length + (hits.length === 1 ? ' event' : ' events');
    hits.slice(0, 200).forEach(function (d) {
      var tr = document.createElement('tr');
      tr.className = 'result';
      cell(tr, d.time, 'time');
      var td = cell(tr, '', 'ref');
      var a = document.createElement('a');
      a.href = '#ev-' + d.id;
      a.textContent = d.ref || '(derived)';
      td.appendChild(a);
      cell(tr, d.section);
      cell(tr, d.label);
      cell(tr, d.text.replace(/^[ \\t]+/, ''), 'log');
      body.appendChild(tr);
    });
  }
  input.addEventListener('input', show);
  input.removeAttribute('disabled');
  show();
})();
`;

/** A log line for display: its leading tab or spaces (Conquest's indent of AE lines) dropped. */
function logText(s: string): string {
  return s.replace(/^[ \t]+/, '');
}

function evidenceTable(list: Evidence[]): string {
  const rows = list
    .map((e) => `<tr><td class="time">${esc(e.time ?? '')}</td><td class="ref">${esc(`${e.source}:${e.line}`)}</td><td>${esc(e.kind)}</td><td>${esc(e.role ?? '')}</td><td class="log">${esc(logText(e.text))}</td></tr>`)
    .join('\n');
  return `<table class="evidence"><thead><tr><th>time</th><th>source:line</th><th>kind</th><th>role</th><th>line</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function timelineTable(events: TimelineEvent[], prefix: string): string {
  const rows = events
    .map(
      (e, i) =>
        `<tr id="ev-${prefix}-${i}" data-marker="${esc(e.marker)}"><td class="time">${esc(e.time ?? '')}</td><td>${esc(e.lane)}</td><td>${esc(e.label)}</td><td class="ref">${esc(e.ref ?? '(derived)')}</td><td class="log">${esc(logText(e.text))}</td></tr>`,
    )
    .join('\n');
  return `<table class="events"><thead><tr><th>time</th><th>lane</th><th>what</th><th>source:line</th><th>line</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function stepsHtml(steps: RemediationStep[]): string {
  const li = steps.map((s) => {
    const parts = [`<strong>${esc(s.title)}.</strong> ${esc(s.detail)}`];
    if (s.commands.length > 0) parts.push(`<pre><code>${esc(s.commands.join('\n'))}</code></pre>`);
    if (s.file) parts.push(`<p>Add to <code>${esc(s.file.name)}</code>:</p><pre><code class="language-${esc(s.file.language)}">${esc(s.file.content)}</code></pre>`);
    if (s.caveat) parts.push(`<p class="caveat">Caveat: ${esc(s.caveat)}</p>`);
    return `<li>${parts.join('\n')}</li>`;
  });
  return `<ol class="steps">\n${li.join('\n')}\n</ol>`;
}

function collisionSection(v: CollisionView, i: number): string {
  const c = v.collision;
  const status = c.resolvedAt ? `<span class="status-resolved">resolved ${esc(c.resolvedAt)}</span>` : '<span class="status-open">open</span>';
  return `<section class="collision" id="collision-${i + 1}">
<h2>${i + 1}. ${esc(v.title)}</h2>
<p>${status} · <span class="badge ${esc(c.confidence)}">${esc(c.confidence)} confidence</span> · ${esc(c.refusals)} refusal${c.refusals === 1 ? '' : 's'}</p>
<h3>Summary</h3>
<p>${esc(v.summary)}</p>
<table class="facts"><tbody>
<tr><th>table and column</th><td>${esc(`${c.table}.${c.column}`)}, ${esc(c.key.column)} <code>${esc(c.key.value)}</code></td></tr>
<tr><th>stored (Old)</th><td><code>${esc(c.oldValue)}</code>${c.oldLooksLikeBsn ? ' — a BSN (9 digits passing the 11-check)' : ''}</td></tr>
<tr><th>refused</th><td><code>${esc(c.refusedValue)}</code>${c.refusedLooksLikeBsn ? ' — a BSN' : ''}</td></tr>
<tr><th>first / last refusal</th><td>${esc(c.firstSeen ?? '?')} / ${esc(c.lastSeen ?? '?')}</td></tr>
${c.seriesUids.length > 0 ? `<tr><th>series refused</th><td>${c.seriesUids.map((s) => `<code>${esc(s)}</code>`).join(', ')}</td></tr>` : ''}
</tbody></table>
<h3>Cause: ${esc(v.causeLabel)}</h3>
<p><code>${esc(c.cause)}</code>, <span class="badge ${esc(c.confidence)}">${esc(c.confidence)} confidence</span></p>
<p>${esc(c.explanation)}</p>
<h3>Timeline</h3>
<div class="svgwrap">${timelineSvg(v.events, v.lanes, { id: `timeline-${i + 1}`, title: `Timeline of collision ${i + 1}` })}</div>
${legendHtml()}
${timelineTable(v.events, `c${i}`)}
<h3>Evidence</h3>
${evidenceTable(c.evidence)}
<h3>Resolution</h3>
<p>${esc(v.resolution)}</p>
<h3>Remediation</h3>
${stepsHtml(v.steps)}
</section>`;
}

function warningSection(v: WarningView, i: number): string {
  return `<section class="warning" id="warning-${i + 1}">
<h3>${esc(v.title)}</h3>
<p>${esc(v.summary)}</p>
<div class="svgwrap">${timelineSvg(v.events, v.lanes, { id: `warning-timeline-${i + 1}`, title: v.title })}</div>
${timelineTable(v.events, `w${i}`)}
<h4>What to do</h4>
${stepsHtml(v.steps)}
</section>`;
}

export function htmlFromModel(m: ReportModel): string {
  const r = m.result;
  const docs = searchDocs(m);
  const data = { index: buildSearchIndex(docs), docs };
  const lines = r.inputs.reduce((a, s) => a + s.lines, 0);
  const inputs = r.inputs.map((s) => `<tr><td class="ref">${esc(s.source)}</td><td>${s.lines}</td><td>${s.events}</td><td>${s.unknown}</td><td>${s.problems}</td></tr>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(m.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(m.title)}</h1>
<p class="meta">${m.generatedAt ? `Generated ${esc(m.generatedAt)} by cqlog. ` : ''}${m.study ? `Study <code>${esc(m.study)}</code>: ` : ''}${m.collisions.length} collision${m.collisions.length === 1 ? '' : 's'}, ${r.warnings.length} open warning${r.warnings.length === 1 ? '' : 's'}; ${r.inputs.length} log source${r.inputs.length === 1 ? '' : 's'}, ${lines} lines read.</p>
${m.redacted ? '<p class="meta redacted">Patient IDs and BSNs in this report are replaced by keyed pseudonyms (<code>P-</code> + 8 hex digits); the same ID always gets the same pseudonym on the machine that made the report.</p>' : ''}
</header>
<section id="search" aria-label="search">
<label for="q">Search every event in this report</label><br>
<input id="q" type="search" placeholder="e.g. WS2, refused, Host" autocomplete="off" disabled>
<p id="search-status" aria-live="polite"></p>
<table><tbody id="search-results"></tbody></table>
</section>
<main>
${m.collisions.length === 0 ? `<p>${m.study ? 'No collision on this study in the logs read.' : 'No collision in the logs read.'}</p>` : ''}
${m.collisions.map(collisionSection).join('\n')}
<section class="warnings">
<h2>Open warnings</h2>
${m.warnings.length === 0 ? '<p>None.</p>' : m.warnings.map(warningSection).join('\n')}
</section>
<section class="inputs">
<h2>Logs read</h2>
<table><thead><tr><th>source</th><th>lines</th><th>events</th><th>unknown</th><th>problems</th></tr></thead><tbody>
${inputs}
</tbody></table>
<p>Site PatientIDs: ${esc(r.site.description)}.</p>
</section>
</main>
<script type="application/json" id="cqlog-data">${jsonForScript(data)}</script>
<script>${scriptSource(lunrBrowserSource())}</script>
<script>${scriptSource(SEARCH_JS)}</script>
</body>
</html>
`;
}

/** The HTML post-mortem of an analysis. */
export function renderHtml(result: AnalysisResult, opts: ReportOptions = {}): string {
  return htmlFromModel(buildModel(result, opts));
}
