/** Options shared by the commands that read logs, and their validation (bad arguments exit 2). */
import { statSync } from 'node:fs';
import v8 from 'node:v8';
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatProblem, type InputProblem } from '../parse/event.js';
import { isDateOrder, type DateOrder } from '../parse/dateOrder.js';
import { checkZone } from '../parse/timezone.js';
import { allKinds } from '../parse/catalog/index.js';
import type { Encoding, IngestOptions, IngestResult } from '../pipeline/readEvents.js';
import type { AnalyzeOptions } from '../correlate/engine.js';

export interface ReadOptions {
  encoding: Encoding;
  dateOrder?: DateOrder;
  tz?: string;
  since?: string;
  until?: string;
  quiet?: boolean;
}

export function addReadOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--encoding <enc>', 'how bytes become text').choices(['latin1', 'utf8']).default('latin1'))
    .addOption(new Option('--date-order <order>', 'day/month order of GUI dates (default: decided per file)').choices(['dmy', 'mdy', 'ymd']))
    .option('--tz <zone>', 'IANA time zone of the server: times get its UTC offset', parseZone)
    .option('--since <time>', 'only events at or after this local time (YYYY-MM-DD[THH:MM[:SS]])', parseTimeArg)
    .option('--until <time>', 'only events before this local time', parseTimeArg)
    .option('-q, --quiet', 'do not print input problems on stderr')
    .hook('preAction', checkWindow);
}

/** An empty window (`--since` not before `--until`) would silently select nothing: a bad argument. */
export function checkWindow(cmd: Command): void {
  const since = cmd.getOptionValue('since') as string | undefined;
  const until = cmd.getOptionValue('until') as string | undefined;
  if (since !== undefined && until !== undefined && since >= until) {
    cmd.error(`error: --since ${since} is not before --until ${until}: the window holds nothing`, { exitCode: 2, code: 'cqlog.emptyWindow' });
  }
}

let knownKinds: ReadonlySet<string> | null = null;

/**
 * Parser of `--kind K…` (commander calls it once a value, with the values so far): each value, or
 * comma-separated list, must name kinds the catalog has. A variadic option takes every argument up
 * to the next option, so `--kind refused-link D:/conquest` would read the path as a kind and the
 * current folder instead; an unknown name is refused, and one that looks like a path says so.
 */
export function collectKinds(v: string, previous: string[] | undefined): string[] {
  knownKinds ??= new Set(allKinds());
  const out = [...(previous ?? [])];
  for (const k of v.split(',')) {
    if (k === '') continue;
    if (!knownKinds.has(k)) {
      const pathLike = /[\\/.:]/.test(k) || k === '-';
      throw new InvalidArgumentError(
        pathLike
          ? `'${k}' is not a kind but looks like a path: put the paths before --kind, or -- before them`
          : `unknown kind '${k}' (the README's Event kinds table lists them)`,
      );
    }
    out.push(k);
  }
  return out;
}

function parseZone(v: string): string {
  try {
    checkZone(v);
  } catch {
    throw new InvalidArgumentError(`unknown time zone '${v}' (use an IANA name such as Europe/Amsterdam)`);
  }
  return v;
}

/** Accepts `2024-03-11`, `2024-03-11T14:03`, `2024-03-11 14:03:05`; returns `YYYY-MM-DDTHH:MM:SS`. */
export function parseTimeArg(v: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError(`'${v}' is not a time: use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]`);
  // The shape alone would let 2026-13-45 or T25:00 through, and compared as text they would silently
  // move the window; a real calendar date and clock time are required.
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (mo < 1 || mo > 12 || date.getUTCDate() !== d || date.getUTCMonth() !== mo - 1 || h > 23 || mi > 59 || s > 59) {
    throw new InvalidArgumentError(`'${v}' is not a valid date and time (month 01-12, a day the month has, hours 00-23, minutes and seconds 00-59)`);
  }
  return `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}`;
}

export function ingestOptions(o: ReadOptions, kindsOnly = false): IngestOptions {
  const out: IngestOptions = { encoding: o.encoding, kindsOnly };
  if (o.dateOrder && isDateOrder(o.dateOrder)) out.dateOrder = o.dateOrder;
  if (o.tz) out.tz = o.tz;
  return out;
}

/** True when an event's local time lies in [since, until). Events without a time pass. */
export function inWindow(time: string | null, o: ReadOptions): boolean {
  if (time === null) return true;
  const t = time.length > 19 ? time.slice(0, 19) : time;
  if (o.since !== undefined && t < o.since) return false;
  if (o.until !== undefined && t >= o.until) return false;
  return true;
}

export function problemPrinter(o: ReadOptions): (p: InputProblem) => void {
  return (p) => {
    if (!o.quiet) process.stderr.write(formatProblem(p) + '\n');
  };
}

/** Exit code per the brief: 0 when anything could be read, 2 when nothing could. */
export function exitCodeFor(r: IngestResult): number {
  return r.sources.some((s) => s.readable) ? 0 : 2;
}

/** The analysis options of the read options (analyze, timeline, report). */
export function analyzeOptions(o: ReadOptions): AnalyzeOptions {
  const opts: AnalyzeOptions = { encoding: o.encoding, onProblem: problemPrinter(o) };
  if (o.dateOrder) opts.dateOrder = o.dateOrder;
  if (o.tz) opts.tz = o.tz;
  if (o.since) opts.since = o.since;
  if (o.until) opts.until = o.until;
  return opts;
}

/**
 * V8's size-first heap policy (smaller young generation, slower heap growth), for the commands whose
 * memory is the forensic engine's bounded state: `analyze` on the 1 GB benchmark peaks at about
 * 120–135 MB instead of 160–180 MB, for some 10–20 % more time (README, "Design"). Called first thing
 * in their actions, before the heap grows. Not for `index`: with its writer thread it runs twice as long so.
 */
export function preferSmallHeap(): void {
  v8.setFlagsFromString('--optimize-for-size');
}

/**
 * True when a path can be read a second time: a regular file (a log, zip or .gz) or a folder. `-`,
 * a pipe (`<(…)`, `/dev/stdin`), a FIFO or a device is used up by one reading. A path that cannot
 * be examined counts as re-readable: each reading then reports it the same way.
 */
export function canReadTwice(p: string): boolean {
  if (p === '-') return false;
  try {
    const st = statSync(p);
    return st.isFile() || st.isDirectory();
  } catch {
    return true;
  }
}

/** The paths that can be read twice, and those read once, named for a message (`-` as standard input). */
export function splitByRereadable(paths: string[]): { twice: string[]; once: string[]; onceNames: string } {
  const twice: string[] = [];
  const once: string[] = [];
  for (const p of paths) (canReadTwice(p) ? twice : once).push(p);
  return { twice, once, onceNames: once.map((p) => (p === '-' ? 'standard input' : p)).join(', ') };
}
