/**
 * `cqlog search [query] [--patient ID] [--study UID] [--ae AE] [--kind K…] [--since T] [--until T]
 * [--context N] [--limit N] [--json] [--redact] [--db FILE]`: the historical index, in time order.
 */
import { Command, InvalidArgumentError } from 'commander';
import type { LogEvent } from '../parse/event.js';
import { MAX_KNOWN_IDS, Redactor } from '../report/redact.js';
import { findingPatientIds } from '../store/findings.js';
import { coverage, search, type SearchResult } from '../store/search.js';
import { defaultDbPath, openStoreForCommand } from '../store/schema.js';
import { checkWindow, collectKinds, parseTimeArg } from './common.js';
import { eventJson } from './events.js';
import { Output } from './output.js';

interface SearchCliOptions {
  db?: string;
  patient?: string;
  study?: string;
  ae?: string;
  kind?: string[];
  since?: string;
  until?: string;
  context: number;
  limit: number;
  json?: boolean;
  redact?: boolean;
}

function count(name: string, max: number, min = 0): (v: string) => number {
  return (v: string) => {
    if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError(`${name} must be a whole number`);
    const n = Number(v);
    if (n > max) throw new InvalidArgumentError(`${name} is at most ${max}`);
    if (n < min) throw new InvalidArgumentError(`${name} is at least ${min}`);
    return n;
  };
}

function textLine(e: LogEvent, hit: boolean, marks: boolean): string {
  const text = e.text.replace(/\n/g, '\\n');
  const mark = marks ? (hit ? '> ' : '  ') : '';
  return `${mark}${e.time ?? '-'.padEnd(19)}  ${e.source}:${e.line}  ${text}`;
}

export function searchCommand(): Command {
  const cmd = new Command('search')
    .description('search the historical index (made by `cqlog index`): all words must occur; results in time order')
    .argument('[query]', 'words to find (UIDs, PatientIDs, AE titles, paths, message words); "quoted words" must be adjacent; word* is a prefix')
    .option('--db <file>', `the index database (default: ${defaultDbPath()})`)
    .option('--patient <id>', 'events of this PatientID (or patient folder)')
    .option('--study <uid>', 'events of this StudyInstanceUID')
    .option('--ae <title>', 'events of associations with this calling, called or move-destination AE, or naming it')
    .option('-k, --kind <kinds...>', 'only these kinds (e.g. refused-link written-file)', collectKinds)
    .option('--since <time>', 'only events at or after this local time (YYYY-MM-DD[THH:MM[:SS]])', parseTimeArg)
    .option('--until <time>', 'only events before this local time', parseTimeArg)
    .option('-C, --context <n>', 'also show N neighbouring lines of the same source before and after each hit', count('--context', 1000), 0)
    .option('-n, --limit <n>', 'at most N hits', count('--limit', 10_000_000, 1), 200)
    .option('--json', 'NDJSON in the event contract (context lines carry "context": true)')
    .option('--redact', 'replace patient IDs, BSNs and names by pseudonyms')
    .hook('preAction', checkWindow);
  cmd.action(async (query: string | undefined, o: SearchCliOptions, c: Command) => {
    const dbFile = o.db ?? defaultDbPath();
    const db = openStoreForCommand(c, dbFile, { readonly: true });
    if (!db) return;
    try {
      const kinds = o.kind ? o.kind.flatMap((k) => k.split(',')).filter((k) => k !== '') : undefined;
      let r: SearchResult;
      try {
        r = search(db, {
          ...(query !== undefined ? { text: query } : {}),
          ...(o.patient !== undefined ? { patient: o.patient } : {}),
          ...(o.study !== undefined ? { study: o.study } : {}),
          ...(o.ae !== undefined ? { ae: o.ae } : {}),
          ...(kinds ? { kinds } : {}),
          ...(o.since !== undefined ? { since: o.since } : {}),
          ...(o.until !== undefined ? { until: o.until } : {}),
          limit: o.limit,
          context: o.context,
        });
      } catch (err) {
        process.stderr.write(`cqlog: ${dbFile}: search failed (${(err as Error).message})\n`);
        c.setOptionValue('exitCode', 2);
        return;
      }
      const out = new Output();
      const redactor = o.redact ? new Redactor() : null;
      if (redactor) {
        // The ID asked for is a patient ID wherever it appears, whatever the event's fields say; so
        // are the IDs of the stored findings. Every line to print is learned from before the first
        // is printed, so a hit is redacted even when only a later hit names its patient.
        if (o.patient !== undefined) redactor.learn(o.patient);
        for (const id of findingPatientIds(db, MAX_KNOWN_IDS)) redactor.learn(id);
        for (const item of r.items) if (item !== null) redactor.learnEvent(item.event);
      }
      const marks = o.context > 0;
      for (const item of r.items) {
        if (item === null) {
          if (!o.json) out.write('--\n');
          continue;
        }
        const e = redactor ? redactor.event(item.event) : item.event;
        if (o.json) out.write(item.hit ? eventJson(e) + '\n' : eventJson(e).slice(0, -1) + ',"context":true}\n');
        else out.write(textLine(e, item.hit, marks) + '\n');
      }
      await out.flush();
      const note = (s: string): void => {
        // With --json the standard output stays pure NDJSON.
        (o.json ? process.stderr : process.stdout).write(s + '\n');
      };
      if (r.truncated) note(`cqlog: showing the first ${r.hits} hits; there are more (use --limit, --since/--until or more words)`);
      for (const d of r.damaged) {
        // Never silent: these lines were not searched.
        process.stderr.write(`cqlog: ${dbFile}: the stored lines of ${d.source} from line ${d.line} cannot be read (${d.why}); they were not searched — index that log again into a new --db\n`);
      }
      if (r.hits === 0) {
        const cov = coverage(db, o.since, o.until);
        const what = o.redact ? 'the query' : describe(query, o);
        if (r.emptyQuery) note(`cqlog: the query has no searchable word (letters or digits); nothing searched`);
        else if (cov.events === 0) note(`cqlog: no match for ${what}: the index ${dbFile} holds no events`);
        else {
          const names = cov.sources.length > 12 ? [...cov.sources.slice(0, 12), `… and ${cov.sources.length - 12} more`] : cov.sources;
          const window = o.since !== undefined || o.until !== undefined ? ` within [${o.since ?? '…'}, ${o.until ?? '…'})` : '';
          note(
            `cqlog: no match for ${what}. Searched ${cov.events} events${window}, time span ${cov.first ?? '-'} .. ${cov.last ?? '-'}, ` +
              `in ${cov.sources.length} source${cov.sources.length === 1 ? '' : 's'}:\n` +
              names.map((n) => `  ${n}`).join('\n'),
          );
        }
      }
      c.setOptionValue('exitCode', 0);
    } finally {
      db.close();
    }
  });
  return cmd;
}

function describe(query: string | undefined, o: SearchCliOptions): string {
  const parts: string[] = [];
  if (query !== undefined && query.trim() !== '') parts.push(JSON.stringify(query));
  if (o.patient !== undefined) parts.push(`patient ${JSON.stringify(o.patient)}`);
  if (o.study !== undefined) parts.push(`study ${JSON.stringify(o.study)}`);
  if (o.ae !== undefined) parts.push(`AE ${JSON.stringify(o.ae)}`);
  if (o.kind) parts.push(`kind ${o.kind.join(',')}`);
  return parts.length > 0 ? parts.join(', ') : 'the filters';
}
