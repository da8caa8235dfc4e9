/**
 * `cqlog timeline <study-uid|patient-id> [paths…] [--json]`: every event tied to a study or patient,
 * in time order: lines naming it (refusals, Written file under the patient folder, virtual-server
 * lines, Inconsistent lines) plus the evidence of the collisions about it (e.g. the failed move,
 * whose lines do not name the patient at normal level).
 */
import { Command } from 'commander';
import type { LogEvent } from '../parse/event.js';
import { analyzePaths, sortEvidence } from '../correlate/engine.js';
import { readEvents, type IngestOptions } from '../pipeline/readEvents.js';
import type { Evidence } from '../explain/types.js';
import { Redactor } from '../report/redact.js';
import { patientFolderOf } from '../common/patientFolder.js';
import { redactAnalysis } from '../report/redactAnalysis.js';
import { addReadOptions, analyzeOptions, inWindow, preferSmallHeap, splitByRereadable, type ReadOptions } from './common.js';
import { useColor } from './output.js';

interface TimelineOptions extends ReadOptions {
  json?: boolean;
  redact?: boolean;
}

/** Lines kept for one timeline; beyond this the count is reported and the rest skipped. */
export const MAX_TIMELINE_EVENTS = 50_000;

/** True when `text` holds `q` as a whole token (not inside a longer UID or number). */
export function namesToken(text: string, q: string): boolean {
  let at = text.indexOf(q);
  while (at !== -1) {
    const before = at === 0 ? '' : text[at - 1]!;
    const after = text[at + q.length] ?? '';
    if (!/[A-Za-z0-9.]/.test(before) && !/[A-Za-z0-9]/.test(after) && !(after === '.' && /\d/.test(text[at + q.length + 1] ?? ''))) return true;
    at = text.indexOf(q, at + 1);
  }
  return false;
}

export function timelineCommand(): Command {
  const cmd = new Command('timeline')
    .description('every event tied to a study UID or patient ID, in time order, with the collisions about it')
    .argument('<id>', 'a StudyInstanceUID or a PatientID')
    .argument('[paths...]', 'log files, Conquest folders, zips, .gz, or - for stdin', ['.'])
    .option('--json', 'one JSON object: query, collisions, events')
    .option('--redact', 'replace patient IDs and BSNs by keyed pseudonyms');
  addReadOptions(cmd);
  cmd.action(async (id: string, paths: string[], o: TimelineOptions, c: Command) => {
    preferSmallHeap();
    const q = id.trim();
    const named: (Evidence & { fields?: LogEvent['fields'] })[] = [];
    let skipped = 0;
    // The redactor learns every identifier the events name, so the lines shown carry no raw ID.
    const red = o.redact ? new Redactor() : null;
    const opts = {
      ...analyzeOptions(o),
      onEvent: (e: LogEvent): void => {
        if (red) red.learnFromFields(e.kind, e.fields);
        if (!inWindow(e.time, o) || !namesToken(e.text, q)) return;
        if (named.length >= MAX_TIMELINE_EVENTS) {
          skipped++;
          return;
        }
        named.push({ source: e.source, line: e.line, time: e.time, kind: e.kind, text: e.text });
      },
    };
    const full = await analyzePaths(paths, opts);
    const { readable, ...analysis0 } = full;
    // A query that is not a UID is a patient ID, whether or not an event's fields named it.
    if (red && !/^\d+(\.\d+)+$/.test(q)) red.learn(q);
    // The redactor that learned from every event read, so the evidence of every collision is covered.
    const analysis = red ? redactAnalysis(analysis0, red) : analysis0;
    // Which collisions are about the id is decided on the unredacted analysis; the redacted copies are shown.
    const aboutIds = new Set(analysis0.collisions.filter((x) => [x.studyUid, x.key.value, x.oldValue, x.refusedValue].includes(q)).map((x) => x.id));
    const relatedCollisions = analysis.collisions.filter((x) => aboutIds.has(x.id));
    if (red) for (const x of analysis0.collisions) if (x.column.toLowerCase() === 'patientid') {
      red.learn(x.oldValue);
      red.learn(x.refusedValue);
    }
    // Second pass (files only): lines under the Old/Refused patient folders or of the same series.
    const keys = analysis0.collisions.filter((x) => aboutIds.has(x.id));
    const { twice, once, onceNames } = splitByRereadable(paths);
    if (keys.length > 0 && once.length > 0 && !o.quiet) {
      process.stderr.write(
        `cqlog: timeline: ${onceNames} cannot be read twice, so the lines there under the collision's patient folders or of its series that do not name the query are not shown (give the log files to see them)\n`,
      );
    }
    if (keys.length > 0 && twice.length > 0) {
      // The IDs as written, and the folders Conquest made of them (reference §3).
      const folders = new Set(keys.flatMap((x) => (x.column.toLowerCase() === 'patientid' ? [x.oldValue, x.refusedValue] : [])).flatMap((id) => [id, patientFolderOf(id)]));
      const series = new Set(keys.flatMap((x) => x.seriesUids));
      const seen = new Set(named.map((e) => `${e.source}:${e.line}`));
      const ingest: IngestOptions = { encoding: o.encoding };
      if (o.dateOrder) ingest.dateOrder = o.dateOrder;
      if (o.tz) ingest.tz = o.tz;
      await readEvents(
        twice,
        ingest,
        (e) => {
          if (!inWindow(e.time, o) || seen.has(`${e.source}:${e.line}`) || named.length >= MAX_TIMELINE_EVENTS) return;
          const f = e.fields;
          const folder = typeof f.patientFolder === 'string' ? f.patientFolder : typeof f.patientId === 'string' ? f.patientId : null;
          const uid = typeof f.seriesUid === 'string' ? f.seriesUid : null;
          if ((folder !== null && folders.has(folder)) || (uid !== null && series.has(uid))) named.push({ source: e.source, line: e.line, time: e.time, kind: e.kind, text: e.text });
        },
        () => {},
      );
    }
    const evidence = relatedCollisions.flatMap((x) => x.evidence);
    const events = sortEvidence([...evidence, ...named.map((e) => (red ? { ...e, text: red.text(e.text) } : e))]);
    const shownId = red ? red.text(q) : q;
    if (o.json) {
      process.stdout.write(JSON.stringify({ query: shownId, collisions: relatedCollisions, events, skipped }, null, 2) + '\n');
    } else {
      const color = useColor();
      const out: string[] = [`timeline of ${shownId}: ${events.length} event${events.length === 1 ? '' : 's'}, ${relatedCollisions.length} collision${relatedCollisions.length === 1 ? '' : 's'}`];
      for (const x of relatedCollisions) out.push(`  collision ${x.table} Old='${x.oldValue}' Refused='${x.refusedValue}': ${x.cause} (${x.confidence}), ${x.refusals} refusals${x.resolvedAt ? `, resolved ${x.resolvedAt}` : ''}`);
      out.push('');
      for (const e of events) {
        const loc = `${e.source}:${e.line}`;
        out.push(`${e.time ?? '-'.padEnd(19)}  ${color ? `\x1b[2m${loc}\x1b[0m` : loc}  ${e.kind}  ${e.role ? `[${e.role}] ` : ''}${e.text.replace(/\n/g, '\\n').replace(/^\s+/, '')}`);
      }
      if (skipped > 0) out.push(`(${skipped} more events not shown: over ${MAX_TIMELINE_EVENTS})`);
      process.stdout.write(out.join('\n') + '\n');
    }
    c.setOptionValue('exitCode', readable ? 0 : 2);
  });
  return cmd;
}
