/** `cqlog … | head`: a reader that goes away ends the output, not the process (no EPIPE crash). */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, ROOT } from '../helpers.js';

/** Runs the CLI, closes its stdout after the first bytes, and returns the exit code and stderr. */
function runAndCloseEarly(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a closed stdout', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cqlog-pipe-'));
  for (const args of [
    ['events', '--json', 'samples/incident'],
    ['analyze', 'samples/incident'],
    ['tail', 'samples/incident', '--once', '--from-start', '--json', '--state', path.join(dir, 'state.json')],
  ]) {
    it(`${args[0]}: exits 0 without an EPIPE error`, async () => {
      const r = await runAndCloseEarly(args);
      expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
      expect(r.code).toBe(0);
    });
  }
  it('cleans up', () => rmSync(dir, { recursive: true, force: true }));
});
