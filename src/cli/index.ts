/**
 * `cqlog index <paths…> [--db FILE]`: adds logs to the historical index, incrementally (issue 5).
 * Archives already indexed are skipped by their sha256; live logs continue where the last run
 * stopped; a rotated log's zip adds only the lines not indexed from the live file.
 */
import { Command, Option } from 'commander';
import { formatProblem } from '../parse/event.js';
import { isDateOrder } from '../parse/dateOrder.js';
import { indexPaths, type IndexProgress, type IndexSummary } from '../store/ingest.js';
import { IndexAnalysis } from '../store/findings.js';
import { defaultDbPath, openStoreForCommand } from '../store/schema.js';

interface IndexCliOptions {
  db?: string;
  encoding: 'latin1' | 'utf8';
  dateOrder?: string;
  quiet?: boolean;
  json?: boolean;
  progress: boolean;
}

function mb(n: number): string {
  return (n / 1e6).toFixed(1);
}

/** A one-line progress bar on stderr, redrawn at most 10 times a second; only on a TTY. */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): { update(p: IndexProgress): void; done(): void } {
  if (!stream.isTTY) return { update: () => {}, done: () => {} };
  const t0 = performance.now();
  let last = 0;
  let shown = false;
  return {
    update(p) {
      const t = performance.now();
      if (t - last < 100) return;
      last = t;
      const secs = (t - t0) / 1000;
      const pct = p.bytesTotal > 0 ? Math.floor((100 * p.bytesDone) / p.bytesTotal) : 0;
      const width = 24;
      const fill = Math.round((pct / 100) * width);
      const name = p.source.length > 40 ? '…' + p.source.slice(-39) : p.source;
      const line = `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${pct}% ${mb(p.bytesDone)}/${mb(p.bytesTotal)} MB ${secs > 0 ? mb(p.bytesDone / secs) : '0.0'} MB/s ${name}`;
      stream.write('\r' + line.slice(0, (stream.columns ?? 100) - 1) + '\x1b[K');
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}

export function renderIndexSummary(s: IndexSummary, db: string, findings: { collisions: number; warnings: number } | null): string {
  const out: string[] = [];
  out.push(`index ${db}`);
  for (const r of s.sources) {
    const what =
      r.status === 'unchanged'
        ? 'unchanged'
        : r.status === 'skipped-archive'
          ? 'archive already indexed, skipped'
          : r.status === 'unreadable'
            ? 'UNREADABLE, skipped'
            : `${r.status}: +${r.newLines} lines, +${r.newEvents} events`;
    out.push(`  ${r.source}: ${what}${r.note && r.status !== 'skipped-archive' ? ` (${r.note})` : ''}`);
  }
  const secs = s.seconds;
  out.push(
    `${s.sources.length} source${s.sources.length === 1 ? '' : 's'}, ${s.newLines} new lines, ${s.newEvents} new events, ${s.skippedArchives.length} archive${s.skippedArchives.length === 1 ? '' : 's'} skipped, ` +
      `${mb(s.bytesRead)} MB read in ${secs.toFixed(1)} s${secs > 0 ? ` (${mb(s.bytesRead / secs)} MB/s)` : ''}`,
  );
  if (findings) out.push(`findings stored: ${findings.collisions} collision${findings.collisions === 1 ? '' : 's'}, ${findings.warnings} warning${findings.warnings === 1 ? '' : 's'}`);
  if (s.problems.length > 0) out.push(`${s.problems.length} input problem${s.problems.length === 1 ? '' : 's'} (reported above)`);
  return out.join('\n') + '\n';
}

export function indexCommand(): Command {
  const cmd = new Command('index')
    .description('add logs (serverstatus.log, PacsTrouble.log, PacsUser.log, logs_*.zip, Conquest folders) to the historical index, incrementally')
    .argument('<paths...>', 'log files, Conquest folders, logs_*.zip, .gz')
    .option('--db <file>', `the index database (default: ${defaultDbPath()})`)
    .addOption(new Option('--encoding <enc>', 'how bytes become text').choices(['latin1', 'utf8']).default('latin1'))
    .addOption(new Option('--date-order <order>', 'day/month order of GUI dates (default: decided per file)').choices(['dmy', 'mdy', 'ymd']))
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'no progress bar (it is shown only on a terminal anyway)')
    .option('-q, --quiet', 'do not print input problems on stderr');
  cmd.action(async (paths: string[], o: IndexCliOptions, c: Command) => {
    const dbFile = o.db ?? defaultDbPath();
    const db = openStoreForCommand(c, dbFile);
    if (!db) return;
    const bar = o.progress ? progressBar() : { update: () => {}, done: () => {} };
    try {
      const analysis = new IndexAnalysis(db);
      const summary = await indexPaths(db, paths, {
        encoding: o.encoding,
        ...(o.dateOrder && isDateOrder(o.dateOrder) ? { dateOrder: o.dateOrder } : {}),
        onProblem: (p) => {
          if (o.quiet) return;
          bar.done();
          process.stderr.write(formatProblem(p) + '\n');
        },
        onProgress: (p) => bar.update(p),
        onEvent: analysis.onEvent,
        analysisLane: analysis.lane,
        onConfig: analysis.onConfig,
      });
      bar.done();
      const findings = analysis.finish();
      db.pragma('wal_checkpoint(TRUNCATE)');
      process.stdout.write(o.json ? JSON.stringify({ db: dbFile, ...summary, findings }, null, 2) + '\n' : renderIndexSummary(summary, dbFile, findings));
      c.setOptionValue('exitCode', summary.readable ? 0 : 2);
    } finally {
      bar.done();
      db.close();
    }
  });
  return cmd;
}
