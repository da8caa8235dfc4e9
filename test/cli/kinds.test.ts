/** `--kind K…`: only kinds the catalog has; a path taken by the variadic option is refused, not read as a kind. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from 'commander';
import { collectKinds } from '../../src/cli/common.js';
import { allKinds } from '../../src/parse/catalog/index.js';
import { ndjson, REAL, runCli } from '../helpers.js';

describe('collectKinds', () => {
  it('collects known kinds, comma-separated or one a value, after the values so far', () => {
    expect(collectKinds('refused-link', undefined)).toEqual(['refused-link']);
    expect(collectKinds('host-refused,written-file', ['refused-link'])).toEqual(['refused-link', 'host-refused', 'written-file']);
    expect(collectKinds('unknown,', undefined)).toEqual(['unknown']);
    for (const k of allKinds()) expect(collectKinds(k, undefined)).toEqual([k]);
  });

  it('refuses an unknown kind, and says when it looks like a Windows or POSIX path', () => {
    expect(() => collectKinds('refused-lnk', undefined)).toThrow(InvalidArgumentError);
    expect(() => collectKinds('refused-lnk', undefined)).toThrow(/unknown kind 'refused-lnk'/);
    for (const p of ['D:\\conquest', 'D:/conquest', '/opt/conquest', 'serverstatus.log', '-']) {
      expect(() => collectKinds(p, ['refused-link'])).toThrow(/looks like a path/);
    }
  });

  it('end to end: the kinds after the path filter the events of that path', () => {
    const dir = `${REAL}/s1-normal-push/router`;
    const all = ndjson<{ kind: string }>(runCli(['events', '--json', dir]).stdout);
    const r = runCli(['events', '--json', dir, '--kind', 'written-file', 'thread-start']);
    const kept = ndjson<{ kind: string }>(r.stdout);
    expect(r.code).toBe(0);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBe(all.filter((e) => e.kind === 'written-file' || e.kind === 'thread-start').length);
    expect(runCli(['events', '--json', '--kind', 'written-file', dir]).code).toBe(2);
  });
});
