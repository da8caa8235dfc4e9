/** Following details (issue 4, items 2–3): a partial last line waits for its newline; checkpoints are atomic files. */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ndjson, runCli } from '../helpers.js';
import { defaultStateFile, loadState, newState, saveState } from '../../src/source/checkpoint.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cqlog-follow-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const env = { CQLOG_STATE_DIR: path.join(tmp, 'state') };

describe('partial lines', () => {
  it('a line still being written waits for its newline, kept in the state, with exact line and offset', () => {
    const dir = path.join(tmp, 'partial');
    mkdirSync(dir, { recursive: true });
    const log = path.join(dir, 'serverstatus.log');
    const state = path.join(tmp, 'partial.json');
    const run = (): { kind?: string; text?: string; line?: number; offset?: number; notice?: string }[] =>
      ndjson(runCli(['tail', dir, '--once', '--json', '--state', state, '--alert', 'error'], { env }).stdout);
    run();
    const first = 'Fri Nov 27 19:32:28 2026 C-Echo\r\n';
    appendFileSync(log, first + 'Fri Nov 27 19:32:40 2026 ***Error saving to SQL: 1234');
    expect(run().filter((o) => !o.notice)).toEqual([]);
    appendFileSync(log, '5678\\x.dcm\r\n');
    const got = run().filter((o) => !o.notice);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ kind: 'error', text: '***Error saving to SQL: 12345678\\x.dcm', line: 2, offset: Buffer.byteLength(first) });
  });
});

describe('checkpoint files', () => {
  it('are named from a hash of the absolute path and replaced atomically', async () => {
    process.env.CQLOG_STATE_DIR = path.join(tmp, 'st');
    const f = defaultStateFile(path.resolve('/x/serverstatus.log'));
    expect(path.dirname(f)).toBe(path.join(tmp, 'st'));
    expect(path.basename(f)).toMatch(/^tail-[0-9a-f]{16}\.json$/);
    expect(defaultStateFile(path.resolve('/y/serverstatus.log'))).not.toBe(f);
    const s = newState('/x/serverstatus.log', 'x');
    s.offset = 42;
    await saveState(f, s);
    s.offset = 43;
    await saveState(f, s);
    expect((await loadState(f))!.offset).toBe(43);
    expect(readdirSync(path.dirname(f)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(await loadState(path.join(tmp, 'none.json'))).toBeNull();
    expect(existsSync(f)).toBe(true);
  });
});
