/** Shared helpers of the report tests: fixtures and the tools the tests need (luac5.1, lua5.1, chromium). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { AnalysisResult } from '../../src/explain/types.js';
import { ROOT } from '../helpers.js';

export function fixture(name: string): AnalysisResult {
  return JSON.parse(readFileSync(path.join(ROOT, 'test', 'fixtures', name), 'utf8')) as AnalysisResult;
}

/** True when `cmd` runs (e.g. `luac5.1 -v`). */
export function hasTool(cmd: string, args: string[] = ['-v']): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.error === undefined;
}

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = (): boolean => existsSync(CHROMIUM);
/** In CI every tool must be there: tests only skip on a developer machine without it. */
export const inCI = (): boolean => !!process.env.CI;
