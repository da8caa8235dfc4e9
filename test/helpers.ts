/** Shared test helpers: paths to the genuine Conquest logs and a CLI runner. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FILE_CHUNK } from '../src/source/read.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Genuine dgate logs (../shared/dgate-real), used by path as the brief asks. */
export const REAL = path.resolve(ROOT, '..', 'shared', 'dgate-real');
/**
 * The Conquest folders of the genuine logs: each scenario holds a `router` and often a `mainpacs`
 * install (the scenario folder itself holds no log, so cqlog reads nothing from it).
 */
export function realLogDirs(): string[] {
  return readdirSync(REAL, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => ['router', 'mainpacs'].map((s) => path.join(REAL, d.name, s)))
    .filter((p) => existsSync(path.join(p, 'serverstatus.log')))
    .sort();
}
export const FORMATS_TSV = path.resolve(ROOT, '..', 'shared', 'conquest-log-formats.tsv');
export const SAMPLES = path.join(ROOT, 'samples');
export const BIN = path.join(ROOT, 'bin', 'cqlog.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (npm test builds first) and never through a shell. */
export function runCli(args: string[], opts: { input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    input: opts.input,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Parses NDJSON output. */
export function ndjson<T = Record<string, unknown>>(s: string): T[] {
  return s
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

/**
 * A log whose Written file line has byte `x` as the last byte of the first read chunk of a file
 * (the line is finished with the next chunk): the byte lanes must not read it.
 */
export function chunkEdgeLog(x: string): Buffer {
  const filler = 'Fri Nov 27 19:31:10 2026 Accepted compression: j2\n';
  const line = `Fri Nov 27 19:31:10 2026 Written file: /opt/d/12${x}34/1.2.3_0001_000001_17958078700000.dcm\n`;
  const before = FILE_CHUNK - 1 - line.indexOf(x);
  const n = Math.floor((before - 200) / filler.length);
  const pad = `Fri Nov 27 19:31:10 2026 ${'p'.repeat(before - n * filler.length - 26)}\n`;
  const out = Buffer.from(filler.repeat(n) + pad + line + filler.repeat(20), 'latin1');
  if (out[FILE_CHUNK - 1] !== x.charCodeAt(0)) throw new Error('chunk edge misplaced');
  return out;
}
