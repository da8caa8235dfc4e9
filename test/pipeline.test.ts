/** The batch fast lane must give exactly what the full decoder gives (kinds, counts, times, problems). */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { realLogDirs, ROOT, runCli } from './helpers.js';

function stats(p: string, fast: boolean, extra: string[] = []): unknown {
  const r = runCli(['stats', '--json', p, ...extra], { env: fast ? {} : { CQLOG_NO_FAST_LANE: '1' } });
  return JSON.parse(r.stdout);
}

describe('fast lane of cqlog stats', () => {
  it('gives the same result as the full decoder on genuine, sample and generated logs', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cqlog-fast-'));
    try {
      const gen = (args: string[], out: string): void => {
        const g = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'tools', 'generate-big.js'), ...args, '--out', out], { encoding: 'utf8' });
        expect(g.status, g.stderr).toBe(0);
      };
      gen(['--size', '3MB', '--seed', '11', '--incident'], path.join(dir, 'linux.log'));
      gen(['--size', '3MB', '--seed', '12', '--format', 'windows'], path.join(dir, 'windows.log'));
      // Lines the byte path must hand over: a lone CR, a glued message, a bare continuation, NULs, an empty message.
      writeFileSync(
        path.join(dir, 'edge.log'),
        [
          'Fri Nov 27 19:36:24 2026 Written file: /a/1/1.2_0001_000001_17958081890000.dcm',
          'Fri Nov 27 19:36:24 2026 Written file: ',
          'Fri Nov 27 19:36:24 2026 Sending file : x\ry',
          'Fri Nov 27 19:36:24 2026 Retrieve: move destination not allowed or known',
          ': NOSUCHAEFri Nov 27 19:36:24 2026 C-Move (PatientRoot)',
          'a bare continuation',
          'Fri Nov 27 19:36:25 2026 ',
          'Fri Nov 27 19:36:23 2026 C-Echo',
          'Fri Nov 27 18:00:00 2026 C-Echo',
          '20200722 14:03:05 \tCalled Application Title : "ROUTER          "',
          '20200722 14:03:05 \tCalled Application Title : "ROUTER          ',
          // Prefixes with no message: blanks, one whose message is the bare line after it (§1.6).
          'Fri Nov 27 19:36:26 2026 ',
          '***Client Error: unable to connect',
          'Fri Nov 27 19:36:26 2026 ',
          '20200722 14:03:06 ',
        ].join('\n') + '\n',
        'latin1',
      );
      const real = realLogDirs();
      expect(real.length).toBeGreaterThanOrEqual(6);
      for (const p of [path.join(dir, 'linux.log'), path.join(dir, 'windows.log'), path.join(dir, 'edge.log'), 'samples/incident', ...real]) {
        const fast = stats(p, true) as { events: number };
        expect(fast.events, p).toBeGreaterThan(0);
        expect(fast, p).toEqual(stats(p, false));
      }
      // Counted in runs of one kind and second, a window still cuts at the second.
      const window = ['--since', '2026-11-27T19:36:24', '--until', '2026-11-27T19:36:25'];
      const cut = stats(path.join(dir, 'edge.log'), true, window) as { events: number };
      expect(cut).toEqual(stats(path.join(dir, 'edge.log'), false, window));
      expect(cut.events).toBe(5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
