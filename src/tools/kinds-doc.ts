/**
 * Prints the event kinds of the message catalog as a Markdown table (kind, logger, meaning, one
 * example line, reference), for the README's "event contract" section:
 *
 *   npm run kinds-doc > kinds.md
 *
 * Rows that share a kind are merged: their loggers, descriptions and references are joined, and
 * the example is the first sample of the first row.
 */
import { pathToFileURL } from 'node:url';
import { allKinds, CATALOG } from '../parse/catalog/index.js';
import type { CatalogRow } from '../parse/catalog/types.js';

/** Kinds that no catalog row produces: the classifier's fallbacks. */
const FALLBACKS: Record<string, { logger: string; meaning: string; example: string; ref: string }> = {
  blank: { logger: 'N', meaning: 'A line holding only a prefix (the `\\n` before every thread start)', example: '20200722 14:03:05 ', ref: '§2.3 dgate.cpp:23605, §5' },
  error: { logger: 'N', meaning: 'Any other line containing `***` (also copied to PacsTrouble.log)', example: '***some error text', ref: '§1.1 step 5, §5' },
  unknown: { logger: '-', meaning: 'A line the catalog does not recognise; kept verbatim', example: 'free text, e.g. a Lua print()', ref: '§5' },
};

const LOGGER_NAMES: Record<CatalogRow['logger'], string> = { N: 'N', D: 'D', T: 'T', U: 'U', G: 'G', C: 'C' };

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** Makes a table cell of text: pipes escaped, line breaks shown as `⏎`, tabs as `\t`. */
function cell(s: string): string {
  return s.replace(/\r?\n/g, ' ⏎ ').replace(/\t/g, '\\t').replace(/\|/g, '\\|');
}

/** Code span around text, with a fence longer than any backtick run inside it. */
function code(s: string): string {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') || s.startsWith(' ') || s.endsWith(' ') ? ' ' : '';
  return `${fence}${pad}${cell(s)}${pad}${fence}`;
}

export interface KindDoc {
  kind: string;
  logger: string;
  meaning: string;
  example: string;
  ref: string;
}

/** One entry per kind of `allKinds()`, in that (sorted) order. */
export function kindDocs(): KindDoc[] {
  const byKind = new Map<string, CatalogRow[]>();
  for (const row of CATALOG) {
    let rows = byKind.get(row.kind);
    if (!rows) byKind.set(row.kind, (rows = []));
    rows.push(row);
  }
  return allKinds().map((kind) => {
    const rows = byKind.get(kind);
    if (!rows) {
      const f = FALLBACKS[kind];
      return { kind, logger: f?.logger ?? '-', meaning: f?.meaning ?? '', example: f?.example ?? '', ref: f?.ref ?? '' };
    }
    return {
      kind,
      logger: uniq(rows.map((r) => LOGGER_NAMES[r.logger])).join('/'),
      meaning: uniq(rows.map((r) => r.description)).join('; '),
      example: rows[0]!.samples[0]?.line ?? '',
      ref: uniq(rows.map((r) => r.ref)).join('; '),
    };
  });
}

/** The Markdown table: a header and one line per kind, each starting with `` | `kind` | ``. */
export function kindsTable(): string {
  const lines = ['| kind | logger | what it means | example | reference |', '| --- | --- | --- | --- | --- |'];
  for (const d of kindDocs()) {
    lines.push(`| \`${d.kind}\` | ${d.logger} | ${cell(d.meaning)} | ${d.example ? code(d.example) : ''} | ${cell(d.ref)} |`);
  }
  return lines.join('\n') + '\n';
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(kindsTable());
}
