/** The README documents every event kind of the catalog (between the kinds markers). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allKinds } from '../../src/parse/catalog/index.js';
import { kindsTable } from '../../src/tools/kinds-doc.js';
import { ROOT } from '../helpers.js';

const START = '<!-- kinds:start -->';
const END = '<!-- kinds:end -->';

/** The kinds named at the start of the table lines of a Markdown text (`` | `kind` | … ``). */
function kindsIn(markdown: string): string[] {
  return markdown
    .split('\n')
    .map((l) => /^\| `([a-z0-9-]+)` \|/.exec(l)?.[1])
    .filter((k): k is string => k !== undefined);
}

describe('kinds documentation', () => {
  it('the generator prints one table line per kind', () => {
    const table = kindsTable();
    expect(kindsIn(table)).toEqual(allKinds());
    expect(table.split('\n')[0]).toBe('| kind | logger | what it means | example | reference |');
    // Every line has the five cells (pipes inside cells are escaped).
    for (const line of table.trim().split('\n')) expect(line.replace(/\\\|/g, '').split('|').length, line).toBe(7);
  });

  it('README.md has a line for every kind between the kinds markers', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const from = readme.indexOf(START);
    const to = readme.indexOf(END);
    expect(from, `README.md lacks ${START}`).toBeGreaterThanOrEqual(0);
    expect(to, `README.md lacks ${END}`).toBeGreaterThan(from);
    const documented = new Set(kindsIn(readme.slice(from, to)));
    const missing = allKinds().filter((k) => !documented.has(k));
    expect(missing, 'kinds missing from README.md: run the kinds-doc script and paste its table').toEqual([]);
  });
});
