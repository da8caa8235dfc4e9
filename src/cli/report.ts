/** `cqlog report [paths…] [--study UID] [--format md|html] [--out FILE] [--redact]`: a post-mortem per collision. */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { analyzePaths } from '../correlate/engine.js';
import { Redactor } from '../report/redact.js';
import { redactAnalysis } from '../report/redactAnalysis.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderHtml } from '../report/html.js';
import { collisionMatches, type ReportOptions } from '../report/model.js';
import { addReadOptions, analyzeOptions, preferSmallHeap, type ReadOptions } from './common.js';

interface ReportCliOptions extends ReadOptions {
  study?: string;
  format: 'md' | 'html';
  out?: string;
  redact?: boolean;
}

function localNow(): string {
  const d = new Date();
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function reportCommand(): Command {
  const cmd = new Command('report')
    .description('a post-mortem per collision: summary, cause, timeline, evidence, resolution, open warnings, remediation')
    .argument('[paths...]', 'log files, Conquest folders, zips, .gz, or - for stdin', ['.'])
    .option('--study <uid>', 'only the collision on this StudyInstanceUID')
    .addOption(new Option('--format <format>', 'Markdown or a self-contained HTML page').choices(['md', 'html']).default('md'))
    .option('--out <file>', 'write the report to this file instead of standard output')
    .option('--redact', 'replace patient IDs and BSNs by keyed pseudonyms (P-xxxxxxxx) in text, timeline and search index');
  addReadOptions(cmd);
  cmd.action(async (paths: string[], o: ReportCliOptions, c: Command) => {
    preferSmallHeap();
    const opts = analyzeOptions(o);
    const { readable, ...analysis } = await analyzePaths(paths, opts);
    if (!readable) {
      c.setOptionValue('exitCode', 2);
      return;
    }
    if (o.study && !analysis.collisions.some((x) => collisionMatches(x, o.study!))) {
      process.stderr.write(`cqlog: no collision on study ${o.study} in the logs read\n`);
      c.setOptionValue('exitCode', 2);
      return;
    }
    // Redact once, before rendering: text, SVG and search index all come from the redacted result.
    // --study selects on the real UID (UIDs are not redacted).
    const result = o.redact ? redactAnalysis(analysis, new Redactor()) : analysis;
    const ro: ReportOptions = { generatedAt: localNow(), redacted: !!o.redact };
    if (o.study) ro.study = o.study;
    const text = o.format === 'html' ? renderHtml(result, ro) : renderMarkdown(result, ro);
    if (o.out) {
      try {
        writeFileSync(o.out, text);
      } catch (err) {
        process.stderr.write(`cqlog: cannot write the report to ${o.out}: ${(err as Error).message}\n`);
        c.setOptionValue('exitCode', 2);
        return;
      }
    } else process.stdout.write(text);
    c.setOptionValue('exitCode', 0);
  });
  return cmd;
}
