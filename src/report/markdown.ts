/**
 * The Markdown post-mortem: a pure function of an AnalysisResult. Log text only ever appears inside
 * code spans or fenced blocks (backtick runs in it lengthen the fence); other text taken from the log
 * (AE titles, IDs) is backslash-escaped, so a log can never inject Markdown or HTML.
 */
import type { AnalysisResult, Evidence } from '../explain/types.js';
import { buildModel, type CollisionView, type ReportModel, type ReportOptions, type TimelineEvent, type WarningView } from './model.js';
import type { RemediationStep } from '../explain/remediation.js';

/** Escapes Markdown and HTML punctuation in running text; line breaks become spaces. */
export function mdText(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_{}[\]<>#|~&]/g, '\\$&')
    .replace(/^([-+=])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

function longestRun(s: string, ch: string): number {
  let max = 0;
  let cur = 0;
  for (const c of s) {
    cur = c === ch ? cur + 1 : 0;
    if (cur > max) max = cur;
  }
  return max;
}

/** An inline code span holding `s` verbatim (newlines shown as ⏎); `inTable` escapes `|`. */
export function mdCode(s: string, inTable = false): string {
  let t = s.replace(/^[ \t]+/, '').replace(/\r?\n/g, '⏎').replace(/\t/g, ' ');
  if (inTable) t = t.replace(/\|/g, '\\|');
  if (t === '') return '';
  const fence = '`'.repeat(longestRun(t, '`') + 1);
  const pad = t.startsWith('`') || t.endsWith('`') || t.startsWith(' ') ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

/** A fenced code block. */
export function mdBlock(content: string, lang = '', indent = ''): string {
  const fence = '`'.repeat(Math.max(3, longestRun(content, '`') + 1));
  const body = content.replace(/\n$/, '').split('\n').map((l) => indent + l);
  return [`${indent}${fence}${lang}`, ...body, `${indent}${fence}`].join('\n');
}

function evidenceTable(list: Evidence[]): string[] {
  const out = ['| time | source:line | kind | role | line |', '| --- | --- | --- | --- | --- |'];
  for (const e of list) {
    out.push(`| ${e.time ?? ''} | ${mdCode(`${e.source}:${e.line}`, true)} | ${mdText(e.kind)} | ${mdText(e.role ?? '')} | ${mdCode(e.text, true)} |`);
  }
  return out;
}

const MARK: Record<TimelineEvent['marker'], string> = {
  'failed-retrieve': '✖ failed retrieve',
  'phantom-rows': '◆ phantom rows',
  refusal: '■ refusal',
  'not-stored': '□ not stored',
  resolution: '✔ resolution',
  retrieve: '· retrieve',
  other: '·',
};

function timelineTable(events: TimelineEvent[]): string[] {
  const out = ['| time | lane | marker | what | source:line |', '| --- | --- | --- | --- | --- |'];
  for (const e of events) {
    out.push(`| ${e.time ?? ''} | ${mdText(e.lane)} | ${MARK[e.marker]} | ${mdText(e.label)} | ${e.ref ? mdCode(e.ref, true) : '(derived)'} |`);
  }
  return out;
}

function stepLines(steps: RemediationStep[]): string[] {
  const out: string[] = [];
  steps.forEach((s, i) => {
    out.push(`${i + 1}. **${mdText(s.title)}.** ${mdText(s.detail)}`);
    if (s.commands.length > 0) out.push('', mdBlock(s.commands.join('\n'), s.commands.every((c) => /^SELECT /.test(c)) ? 'sql' : 'sh', '   '));
    if (s.file) out.push('', `   Add to \`${s.file.name}\`:`, '', mdBlock(s.file.content, s.file.language, '   '));
    if (s.caveat) out.push('', `   *Caveat:* ${mdText(s.caveat)}`);
    out.push('');
  });
  return out;
}

function collisionSection(v: CollisionView, n: number): string[] {
  const c = v.collision;
  const out: string[] = [`## ${n}. ${mdText(v.title)}`, ''];
  out.push('### Summary', '', mdText(v.summary), '');
  out.push(
    `- table and column: ${mdText(c.table)}.${mdText(c.column)}, ${mdText(c.key.column)} ${mdCode(c.key.value)}`,
    `- stored (Old): ${mdCode(c.oldValue)}${c.oldLooksLikeBsn ? ' — a BSN (9 digits passing the 11-check)' : ''}`,
    `- refused: ${mdCode(c.refusedValue)}${c.refusedLooksLikeBsn ? ' — a BSN' : ''}`,
    `- refusals: ${c.refusals}, first ${c.firstSeen ?? '?'}, last ${c.lastSeen ?? '?'}`,
  );
  if (c.seriesUids.length > 0) out.push(`- series of the refused objects: ${c.seriesUids.map((s) => mdCode(s)).join(', ')}`);
  out.push('');
  out.push(`### Cause: ${mdText(v.causeLabel)}`, '', `Cause ${mdCode(c.cause)}, **${c.confidence} confidence**.`, '', mdText(c.explanation), '');
  out.push('### Timeline', '', `Lanes: ${v.lanes.map(mdText).join('; ')}.`, '', ...timelineTable(v.events), '');
  out.push('### Evidence', '', ...evidenceTable(c.evidence), '');
  out.push('### Resolution', '', mdText(v.resolution), '');
  out.push('### Remediation', '', ...stepLines(v.steps));
  return out;
}

function warningSection(v: WarningView): string[] {
  return [`### ${mdText(v.title)}`, '', mdText(v.summary), '', ...evidenceTable(v.warning.evidence), '', '**What to do**', '', ...stepLines(v.steps)];
}

export function markdownFromModel(m: ReportModel): string {
  const r = m.result;
  const out: string[] = [`# ${mdText(m.title)}`, ''];
  if (m.generatedAt) out.push(`Generated ${mdText(m.generatedAt)} by cqlog.`, '');
  if (m.redacted) out.push('Patient IDs and BSNs in this report are replaced by keyed pseudonyms (`P-` + 8 hex digits); the same ID always gets the same pseudonym on the machine that made the report.', '');
  const lines = r.inputs.reduce((a, s) => a + s.lines, 0);
  out.push(
    `${m.study ? `Study ${mdCode(m.study)}: ` : ''}${m.collisions.length} collision${m.collisions.length === 1 ? '' : 's'}, ${r.warnings.length} open warning${r.warnings.length === 1 ? '' : 's'}; ` +
      `${r.inputs.length} log source${r.inputs.length === 1 ? '' : 's'}, ${lines} lines read.`,
    '',
  );
  if (m.collisions.length === 0) out.push(m.study ? 'No collision on this study in the logs read.' : 'No collision in the logs read.', '');
  m.collisions.forEach((v, i) => out.push(...collisionSection(v, i + 1)));
  out.push('## Open warnings', '');
  if (m.warnings.length === 0) out.push('None.', '');
  for (const w of m.warnings) out.push(...warningSection(w));
  out.push('## Logs read', '', '| source | lines | events | unknown | problems |', '| --- | --- | --- | --- | --- |');
  for (const s of r.inputs) out.push(`| ${mdCode(s.source, true)} | ${s.lines} | ${s.events} | ${s.unknown} | ${s.problems} |`);
  out.push('', `Site PatientIDs: ${mdText(r.site.description)}.`, '');
  return out.join('\n');
}

/** The Markdown post-mortem of an analysis. */
export function renderMarkdown(result: AnalysisResult, opts: ReportOptions = {}): string {
  return markdownFromModel(buildModel(result, opts));
}
