/** `cqlog stats [paths…] [--json]`: lines, events by kind, unknown lines, time span, per source, input problems. */
import { Command } from 'commander';
import { formatProblem } from '../parse/event.js';
import { readEvents, type SourceSummary } from '../pipeline/readEvents.js';
import type { ConquestConfig } from '../source/types.js';
import { compareTimes } from '../parse/timezone.js';
import { addReadOptions, exitCodeFor, ingestOptions, inWindow, problemPrinter, type ReadOptions } from './common.js';

interface StatsOptions extends ReadOptions {
  json?: boolean;
}

export interface Stats {
  lines: number;
  bytes: number;
  events: number;
  unknown: number;
  byKind: Record<string, number>;
  firstTime: string | null;
  lastTime: string | null;
  sources: (SourceSummary & { firstTime: string | null; lastTime: string | null })[];
  problems: { source: string; line?: number; offset?: number; message: string }[];
  /** The dicom.ini files read (a folder's, a zip's). */
  configs: ConquestConfig[];
}

export function statsCommand(): Command {
  const cmd = new Command('stats')
    .description('count lines and events by kind, unknown lines, time span and input problems')
    .argument('[paths...]', 'log files, Conquest folders, zips, .gz, or - for stdin', ['.'])
    .option('--json', 'print one JSON object');
  addReadOptions(cmd);
  cmd.action(async (paths: string[], o: StatsOptions, c: Command) => {
    const spans = new Map<string, { first: string | null; last: string | null }>();
    let current = '';
    let span = { first: null as string | null, last: null as string | null };
    const windowed = o.since !== undefined || o.until !== undefined;
    let lastTime: string | null = null;
    // Counters by kind; runs of one kind (a series of `Written file` lines) skip the map.
    const byKind = new Map<string, { n: number }>();
    let lastKind = '';
    let lastCounter = { n: 0 };
    const count = (source: string, kind: string, t: string | null, n = 1): void => {
      if (windowed && !inWindow(t, o)) return;
      if (kind !== lastKind) {
        lastKind = kind;
        let c = byKind.get(kind);
        if (c === undefined) byKind.set(kind, (c = { n: 0 }));
        lastCounter = c;
      }
      lastCounter.n += n;
      if (source !== current) {
        current = source;
        span = spans.get(current) ?? { first: null, last: null };
        spans.set(current, span);
        lastTime = null;
      }
      // A clock that jumps back must not shrink the span: keep min and max, not first and last.
      if (t !== null && t !== lastTime) {
        lastTime = t;
        if (span.first === null || compareTimes(t, span.first) < 0) span.first = t;
        if (span.last === null || compareTimes(t, span.last) > 0) span.last = t;
      }
    };
    const ingest = ingestOptions(o, true);
    ingest.onCounted = count;
    const result = await readEvents(paths, ingest, (e) => count(e.source, e.kind, e.time), problemPrinter(o));
    const sources = result.sources.map((s) => ({ ...s, firstTime: spans.get(s.source)?.first ?? null, lastTime: spans.get(s.source)?.last ?? null }));
    const firsts = sources.map((s) => s.firstTime).filter((x): x is string => x !== null).sort(compareTimes);
    const lasts = sources.map((s) => s.lastTime).filter((x): x is string => x !== null).sort(compareTimes);
    const stats: Stats = {
      lines: sources.reduce((a, s) => a + s.lines, 0),
      bytes: sources.reduce((a, s) => a + s.bytes, 0),
      events: [...byKind.values()].reduce((a, c) => a + c.n, 0),
      unknown: byKind.get('unknown')?.n ?? 0,
      byKind: Object.fromEntries([...byKind.entries()].map(([k, c]) => [k, c.n] as const).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))),
      firstTime: firsts[0] ?? null,
      lastTime: lasts[lasts.length - 1] ?? null,
      sources,
      problems: result.problems,
      configs: result.configs,
    };
    process.stdout.write(o.json ? JSON.stringify(stats, null, 2) + '\n' : renderStats(stats));
    c.setOptionValue('exitCode', exitCodeFor(result));
  });
  return cmd;
}

export function renderStats(s: Stats): string {
  const out: string[] = [];
  out.push(`lines ${s.lines}  bytes ${s.bytes}  events ${s.events}  unknown ${s.unknown}`);
  out.push(`time span ${s.firstTime ?? '-'} .. ${s.lastTime ?? '-'}`);
  out.push('', 'events by kind:');
  for (const [k, n] of Object.entries(s.byKind)) out.push(`  ${String(n).padStart(9)}  ${k}`);
  out.push('', 'sources:');
  for (const src of s.sources) {
    out.push(
      `  ${src.source}: ${src.readable ? '' : 'UNREADABLE '}lines ${src.lines}, events ${src.events}, unknown ${src.unknown}, problems ${src.problems}, ${src.firstTime ?? '-'} .. ${src.lastTime ?? '-'}`,
    );
  }
  if (s.configs.length > 0) {
    out.push('', 'dicom.ini read:');
    for (const c of s.configs) out.push(`  ${c.source}: MyACRNema ${c.myAe ?? '-'}${c.virtualServers.length > 0 ? `, virtual server for ${c.virtualServers.join(', ')}` : ''}`);
  }
  if (s.problems.length > 0) {
    out.push('', `input problems (${s.problems.length}):`);
    for (const p of s.problems) out.push('  ' + formatProblem(p).replace(/^cqlog: /, ''));
  }
  return out.join('\n') + '\n';
}
