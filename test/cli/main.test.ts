/** The program loads only the command it runs; help, the version and mistyped commands still see them all. */
import { describe, expect, it } from 'vitest';
import { program } from '../../src/cli/main.js';

const ALL = ['analyze', 'events', 'index', 'report', 'search', 'stats', 'tail', 'timeline'];
const names = async (...args: string[]): Promise<string[]> => (await program(['node', 'cqlog', ...args])).commands.map((c) => c.name()).sort();

describe('cqlog program', () => {
  it('registers only the command named first', async () => {
    for (const c of ALL) expect(await names(c, 'x.log', '--json')).toEqual([c]);
  });

  it('registers every command for help, the version, no command and a mistyped one', async () => {
    for (const args of [[], ['--help'], ['-V'], ['stat'], ['help', 'stats']]) expect(await names(...args)).toEqual(ALL);
  });
});
