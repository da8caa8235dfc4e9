/** `cqlog analyze [paths…]`: every collision explained with evidence, and the open phantom-risk warnings. */
import { Command, Option } from 'commander';
import { analyzePaths } from '../correlate/engine.js';
import type { AnalysisResult, Collision, Evidence, Warning } from '../explain/types.js';
import { redactAnalysis } from '../report/redactAnalysis.js';
import { mdCode } from '../report/markdown.js';
import { addReadOptions, analyzeOptions, preferSmallHeap, type ReadOptions } from './common.js';
import { useColor } from './output.js';

interface AnalyzeOptions extends ReadOptions {
  json?: boolean;
  markdown?: boolean;
  redact?: boolean;
  failOn?: 'collision' | 'unresolved' | 'warning';
}

const C = {
  red: (s: string, on: boolean) => (on ? `\x1b[31m${s}\x1b[0m` : s),
  yellow: (s: string, on: boolean) => (on ? `\x1b[33m${s}\x1b[0m` : s),
  green: (s: string, on: boolean) => (on ? `\x1b[32m${s}\x1b[0m` : s),
  bold: (s: string, on: boolean) => (on ? `\x1b[1m${s}\x1b[0m` : s),
  dim: (s: string, on: boolean) => (on ? `\x1b[2m${s}\x1b[0m` : s),
};

/**
 * Wraps at spaces to `width`, never inside one of `keep` (the sources cited: a folder name with a
 * space, `D:/Conquest logs/serverstatus.log:48`, stays on one line, to be copied whole).
 */
function wrap(text: string, width: number, indent: string, keep: readonly string[] = []): string {
  let t = text;
  for (const k of keep) if (k.includes(' ')) t = t.split(k).join(k.replace(/ /g, '\u0000'));
  const words = t.split(/\s+/).map((w) => w.replace(/\u0000/g, ' '));
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur.length > 0 && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur.length > 0 ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines.map((l) => indent + l).join('\n');
}

function oneLine(s: string, max = 110): string {
  const t = s.replace(/\n/g, '\\n').replace(/^\s+/, '');
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

function evidenceLine(e: Evidence, color: boolean): string {
  return `    ${e.time ?? '-'.padEnd(19)}  ${C.dim(`${e.source}:${e.line}`, color)}  ${e.role ? `[${e.role}] ` : ''}${oneLine(e.text)}`;
}

export function renderCollisionText(c: Collision, color: boolean): string {
  const out: string[] = [];
  const flag = (v: boolean): string => (v ? ' (BSN)' : '');
  out.push(
    `${C.red(C.bold('COLLISION', color), color)}  ${c.table} ${c.column}  ${c.key.column}=${c.key.value}  Old='${c.oldValue}'${flag(c.oldLooksLikeBsn)}  Refused='${c.refusedValue}'${flag(c.refusedLooksLikeBsn)}`,
  );
  out.push(`  cause: ${C.bold(c.cause, color)} (${c.confidence} confidence)`);
  out.push(
    `  ${c.refusals} refusal${c.refusals === 1 ? '' : 's'}, ${c.firstSeen ?? '?'} .. ${c.lastSeen ?? '?'}; ` +
      (c.resolvedAt ? C.green(`resolved at ${c.resolvedAt}: ${c.resolvedHow}`, color) : 'not resolved in the logs read'),
  );
  const cited = [...new Set(c.evidence.map((e) => e.source))];
  out.push(wrap(c.explanation, 100, '  ', cited));
  out.push('  evidence:');
  for (const e of c.evidence) out.push(evidenceLine(e, color));
  out.push(...whatToDo(c.remediation, cited));
  return out.join('\n');
}

function whatToDo(steps: readonly string[], keep: readonly string[] = []): string[] {
  if (steps.length === 0) return [];
  return ['  what to do:', ...steps.map((r) => wrap(r, 98, '    ', keep).replace(/^ {4}/, '  - '))];
}

export function renderWarningText(w: Warning, color: boolean): string {
  const who = `${w.requestingAe ?? '?'} -> ${w.destinationAe ?? '?'}`;
  const folder = w.patientFolder ? `, rows under '${w.patientFolder}'${w.patientFolderLooksLikeBsn ? ' (BSN)' : ''}` : '';
  return (
    `${C.yellow(C.bold('PHANTOM RISK', color), color)}  ${w.time ?? '?'}  ${who}, ${w.imageCount} image${w.imageCount === 1 ? '' : 's'} found, destination refused${folder}\n` +
    `  database rows were made for these images and stay without files; a later push of the same study under another PatientID will be refused.\n` +
    [...w.evidence.map((e) => evidenceLine(e, color)), ...whatToDo(w.remediation ?? [])].join('\n')
  );
}

export function renderAnalysisText(r: AnalysisResult, color: boolean): string {
  const lines = r.inputs.reduce((a, s) => a + s.lines, 0);
  const out: string[] = [];
  out.push(
    `${r.collisions.length} collision${r.collisions.length === 1 ? '' : 's'}, ${r.warnings.length} open warning${r.warnings.length === 1 ? '' : 's'} ` +
      `(${r.inputs.length} source${r.inputs.length === 1 ? '' : 's'}, ${lines} lines; site PatientIDs: ${r.site.description})`,
  );
  for (const c of r.collisions) out.push('', renderCollisionText(c, color));
  for (const w of r.warnings) out.push('', renderWarningText(w, color));
  const n = r.notes;
  if (n) {
    const dropped = Object.entries(n.evicted).filter(([, v]) => v > 0);
    const parts: string[] = [];
    if (n.ambiguousLines > 0) parts.push(`${n.ambiguousLines} refusal or move line${n.ambiguousLines === 1 ? '' : 's'} could not be tied to one association (given to the most likely one)`);
    if (n.evictedAssociations + n.expiredAssociations > 0) parts.push(`${n.evictedAssociations} association(s) evicted and ${n.expiredAssociations} expired while open`);
    for (const [k, v] of dropped) parts.push(`${v} ${k} dropped by their bound`);
    if (parts.length > 0) out.push('', `note: ${parts.join('; ')}.`);
  }
  return out.join('\n') + '\n';
}

function mdEscape(s: string): string {
  return s.replace(/([\\`*_{}[\]<>|])/g, '\\$1');
}

/**
 * Text whose `…` spans are code (remediation commands, the names of commands in explanations): the
 * spans stay code spans, the rest is escaped. Unpaired backticks are escaped like any other text.
 */
function mdWithCode(s: string): string {
  const parts = s.split('`');
  if (parts.length % 2 === 0) return mdEscape(s);
  return parts.map((p, i) => (i % 2 === 1 ? mdCode(p) : mdEscape(p))).join('');
}

export function renderAnalysisMarkdown(r: AnalysisResult): string {
  const out: string[] = ['# cqlog analysis', ''];
  out.push(`${r.collisions.length} collision(s), ${r.warnings.length} open warning(s). Site PatientIDs: ${mdEscape(r.site.description)}.`, '');
  for (const c of r.collisions) {
    out.push(`## ${mdEscape(c.table)} ${mdEscape(c.column)}: Old='${mdEscape(c.oldValue)}', Refused='${mdEscape(c.refusedValue)}'`, '');
    out.push(`- ${mdEscape(c.key.column)}: \`${c.key.value.replace(/`/g, "'")}\``);
    out.push(`- cause: **${c.cause}** (${c.confidence} confidence)`);
    out.push(`- refusals: ${c.refusals}, first ${c.firstSeen ?? '?'}, last ${c.lastSeen ?? '?'}`);
    out.push(`- resolved: ${c.resolvedAt ? `${c.resolvedAt}, ${mdEscape(c.resolvedHow ?? '')}` : 'no'}`, '');
    out.push(mdWithCode(c.explanation), '', '| time | source:line | role | line |', '| --- | --- | --- | --- |');
    for (const e of c.evidence) out.push(`| ${e.time ?? ''} | ${mdEscape(`${e.source}:${e.line}`)} | ${mdEscape(e.role ?? '')} | \`${oneLine(e.text, 160).replace(/`/g, "'").replace(/\|/g, '\\|')}\` |`);
    out.push('', '**What to do**', '');
    for (const x of c.remediation) out.push(`- ${mdWithCode(x)}`);
    out.push('');
  }
  if (r.warnings.length > 0) {
    out.push('## Open warnings', '');
    for (const w of r.warnings) {
      out.push(`- phantom risk at ${w.time ?? '?'}: ${mdEscape(w.requestingAe ?? '?')} → ${mdEscape(w.destinationAe ?? '?')}, ${w.imageCount} image(s), ${mdEscape(`${w.source}:${w.line}`)}`);
      for (const x of w.remediation ?? []) out.push(`  - ${mdWithCode(x)}`);
    }
    out.push('');
  }
  return out.join('\n');
}

export function analyzeCommand(): Command {
  const cmd = new Command('analyze')
    .description('explain every "Refused to enter inconsistent link" collision with evidence; warn about phantom rows')
    .argument('[paths...]', 'log files, Conquest folders, zips, .gz, or - for stdin', ['.'])
    .option('--json', 'one JSON object: collisions, warnings, inputs, site')
    .addOption(new Option('--markdown', 'Markdown').conflicts('json'))
    .option('--redact', 'replace patient IDs and BSNs by keyed pseudonyms (P-xxxxxxxx)')
    .addOption(
      new Option('--fail-on <what>', 'exit 1 when such a finding exists: any collision, a collision the logs do not show resolved, or a collision or warning').choices([
        'collision',
        'unresolved',
        'warning',
      ]),
    );
  addReadOptions(cmd);
  cmd.action(async (paths: string[], o: AnalyzeOptions, c: Command) => {
    preferSmallHeap();
    const opts = analyzeOptions(o);
    const full = await analyzePaths(paths, opts);
    const { readable, ...analysis } = full;
    const r = o.redact ? redactAnalysis(analysis) : analysis;
    if (o.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    else if (o.markdown) process.stdout.write(renderAnalysisMarkdown(r));
    else process.stdout.write(renderAnalysisText(r, useColor()));
    let code = readable ? 0 : 2;
    if (code === 0 && o.failOn === 'collision' && r.collisions.length > 0) code = 1;
    // A collision the logs show ended (phantom rows cleaned up, the refused value stored later) needs no one at 3 a.m.
    if (code === 0 && o.failOn === 'unresolved' && r.collisions.some((x) => x.resolvedAt === null)) code = 1;
    if (code === 0 && o.failOn === 'warning' && (r.warnings.length > 0 || r.collisions.length > 0)) code = 1;
    c.setOptionValue('exitCode', code);
  });
  return cmd;
}
