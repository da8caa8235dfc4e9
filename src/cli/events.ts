/** `cqlog events [paths…] [--kind K…] [--since T] [--until T] [--json]`: the typed event stream. */
import { Command } from 'commander';
import type { LogEvent } from '../parse/event.js';
import { readEvents } from '../pipeline/readEvents.js';
import { addReadOptions, collectKinds, exitCodeFor, ingestOptions, inWindow, problemPrinter, splitByRereadable, type ReadOptions } from './common.js';
import { Output } from './output.js';
import { Redactor } from '../report/redact.js';

interface EventsOptions extends ReadOptions {
  kind?: string[];
  json?: boolean;
  redact?: boolean;
}

/** The event contract's JSON, keys in contract order. */
export function eventJson(e: LogEvent): string {
  return JSON.stringify({ source: e.source, line: e.line, offset: e.offset, time: e.time, kind: e.kind, text: e.text, fields: e.fields });
}

export function eventLine(e: LogEvent): string {
  const text = e.text.replace(/\n/g, '\\n');
  return `${e.time ?? '-'.padEnd(19)}  ${e.source}:${e.line}  ${e.kind}  ${text}`;
}

export function eventsCommand(): Command {
  const cmd = new Command('events')
    .description('print the log lines as typed events (one JSON object per line with --json)')
    .argument('[paths...]', 'log files, Conquest folders, zips, .gz, or - for stdin', ['.'])
    .option('-k, --kind <kinds...>', 'only these kinds (e.g. refused-link host-refused)', collectKinds)
    .option('--json', 'NDJSON in the event contract')
    .option('--redact', 'replace patient IDs and BSNs by keyed pseudonyms (P-xxxxxxxx)');
  addReadOptions(cmd);
  cmd.action(async (paths: string[], o: EventsOptions, c: Command) => {
    const out = new Output();
    const kinds = o.kind ? new Set(o.kind.flatMap((k) => k.split(','))) : null;
    const red = o.redact ? new Redactor() : null;
    if (red) {
      // Learning pass over what can be read twice: every identifier any line names is known before
      // the first line is printed. Problems are reported by the printing pass only.
      const { twice, once, onceNames } = splitByRereadable(paths);
      if (twice.length > 0) await readEvents(twice, ingestOptions(o), (e) => red.learnEvent(e), () => {});
      if (once.length > 0) {
        process.stderr.write(
          `cqlog: --redact learns identifiers as it goes on ${onceNames} (read once): an ID first named on a later line there can pass unredacted in earlier ones (give files to redact them all)\n`,
        );
      }
    }
    const result = await readEvents(
      paths,
      ingestOptions(o),
      (e) => {
        if (kinds && !kinds.has(e.kind)) return;
        if (!inWindow(e.time, o)) return;
        if (red) e = red.event(e);
        out.write((o.json ? eventJson(e) : eventLine(e)) + '\n');
      },
      problemPrinter(o),
      () => out.maybeFlush(),
    );
    await out.flush();
    c.setOptionValue('exitCode', exitCodeFor(result));
  });
  return cmd;
}
