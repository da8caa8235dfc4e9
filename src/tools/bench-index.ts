/**
 * Benchmark of the historical index (issue 5, item 7): generates a log, indexes it, and prints the
 * ingest rate, the database size against the raw size, and the latency of a few hundred searches.
 *
 *   node dist/tools/bench-index.js [--lines 1000000 | --size 100MB] [--queries 300] [--dir DIR] [--keep]
 *
 * `--lines N` writes exactly N dgate lines with the store's own generator (src/store/synth.ts);
 * `--size` uses dist/tools/generate-big.js instead. Targets: ≥30 MB/s ingest, p95 ≤50 ms at 10M
 * lines, database ≤1.5× the raw log.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { indexPaths } from '../store/ingest.js';
import { openStore } from '../store/schema.js';
import { search, type SearchQuery } from '../store/search.js';
import { rng, synthBlocks, synthPatient } from '../store/synth.js';

interface Args {
  lines: number | null;
  size: string | null;
  queries: number;
  dir: string | null;
  keep: boolean;
  patients: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { lines: null, size: null, queries: 300, dir: null, keep: false, patients: 20000 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === '--lines') a.lines = Number(v().replace(/_/g, ''));
    else if (k === '--size') a.size = v();
    else if (k === '--queries') a.queries = Number(v());
    else if (k === '--dir') a.dir = v();
    else if (k === '--patients') a.patients = Number(v());
    else if (k === '--keep') a.keep = true;
    else if (k === '-h' || k === '--help') {
      process.stdout.write('usage: node dist/tools/bench-index.js [--lines N | --size 100MB] [--queries N] [--patients N] [--dir DIR] [--keep]\n');
      process.exit(0);
    } else throw new Error(`unknown option ${k}`);
  }
  if (a.lines === null && a.size === null) a.lines = 1_000_000;
  return a;
}

function writeSynth(file: string, lines: number, patients: number): void {
  const fd = openSync(file, 'w');
  try {
    let buf: string[] = [];
    let n = 0;
    for (const b of synthBlocks(lines, { patients })) {
      buf.push(b);
      n += b.length;
      if (n > 1 << 22) {
        writeSync(fd, buf.join(''), null, 'latin1');
        buf = [];
        n = 0;
      }
    }
    writeSync(fd, buf.join(''), null, 'latin1');
  } finally {
    closeSync(fd);
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function dbBytes(file: string): number {
  let n = 0;
  for (const f of [file, file + '-wal', file + '-shm']) if (existsSync(f)) n += statSync(f).size;
  return n;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const dir = a.dir ?? mkdtempSync(path.join(os.tmpdir(), 'cqlog-bench-index-'));
  const log = path.join(dir, 'serverstatus.log');
  const dbFile = path.join(dir, 'index.sqlite');
  rmSync(dbFile, { force: true });
  rmSync(dbFile + '-wal', { force: true });
  rmSync(dbFile + '-shm', { force: true });
  const tg = performance.now();
  if (a.size !== null) {
    const gen = path.join(path.dirname(fileURLToPath(import.meta.url)), 'generate-big.js');
    const r = spawnSync(process.execPath, [gen, '--size', a.size, '--out', log, '--format', 'windows'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('generate-big failed');
  } else {
    writeSynth(log, a.lines!, a.patients);
  }
  const raw = statSync(log).size;
  process.stdout.write(`generated ${log}: ${(raw / 1e6).toFixed(1)} MB in ${((performance.now() - tg) / 1000).toFixed(1)} s\n`);

  const db = openStore(dbFile);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const s = await indexPaths(db, [log], {});
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  db.pragma('wal_checkpoint(TRUNCATE)');
  const events = s.newEvents;
  const size = dbBytes(dbFile);
  process.stdout.write(
    `indexed ${s.newLines} lines, ${events} events in ${secs.toFixed(1)} s: ${(raw / 1e6 / secs).toFixed(1)} MB/s wall, ` +
      `${(raw / 1e6 / cpuSecs).toFixed(1)} MB/s per CPU second (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs)\n`,
  );
  process.stdout.write(`database ${(size / 1e6).toFixed(1)} MB = ${(size / raw).toFixed(2)} × raw\n`);
  const sizes = db
    .prepare("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC")
    .all() as { name: string; bytes: number }[];
  process.stdout.write('  by table/index: ' + sizes.slice(0, 12).map((r) => `${r.name} ${(r.bytes / 1e6).toFixed(1)}`).join(', ') + ' MB\n');
  db.close();

  // Queries: patient IDs, study and series UIDs, AEs in a month, kinds, a path, a miss.
  const rdb = openStore(dbFile, { readonly: true });
  const rand = rng(7);
  const span = rdb.prepare('SELECT min(tmin) AS a, max(tmax) AS b FROM blocks').get() as { a: number; b: number };
  const iso = (t: number): string => new Date(t * 1000).toISOString().slice(0, 19);
  const qs: [string, SearchQuery][] = [];
  for (let i = 0; i < a.queries; i++) {
    const p = synthPatient(Math.floor(rand() * a.patients));
    const from = span.a + Math.floor(rand() * Math.max(1, span.b - span.a));
    const r = i % 8;
    if (r === 0) qs.push(['text patient id', { text: p.id, limit: 200 }]);
    else if (r === 1) qs.push(['--patient', { patient: p.id, limit: 200 }]);
    else if (r === 2) qs.push(['--study', { study: p.study, limit: 200 }]);
    else if (r === 3) qs.push(['text series uid', { text: p.series, limit: 200 }]);
    else if (r === 4) qs.push(['--ae in a week', { ae: ['CT01', 'WS1', 'VIEWER', 'MR01'][i % 4]!, since: iso(from), until: iso(from + 7 * 86400), limit: 200 }]);
    else if (r === 5) qs.push(['kind refused-link', { kinds: ['refused-link'], patient: p.id, limit: 200 }]);
    else if (r === 6) qs.push(['path', { text: `D:\\conquest\\data\\${p.id}\\${p.series}`, limit: 200 }]);
    else qs.push(['miss', { text: `9${p.id}`, limit: 200 }]);
  }
  const times: number[] = [];
  const byKind = new Map<string, number[]>();
  let hits = 0;
  for (const [k, q] of qs) {
    const t = performance.now();
    const r = search(rdb, q);
    const ms = performance.now() - t;
    hits += r.hits;
    times.push(ms);
    if (!byKind.has(k)) byKind.set(k, []);
    byKind.get(k)!.push(ms);
  }
  rdb.close();
  times.sort((x, y) => x - y);
  process.stdout.write(
    `${qs.length} queries (${hits} hits): p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms, max ${times[times.length - 1]!.toFixed(1)} ms\n`,
  );
  for (const [k, v] of byKind) {
    v.sort((x, y) => x - y);
    process.stdout.write(`  ${k.padEnd(18)} p50 ${percentile(v, 50).toFixed(1)} ms, p95 ${percentile(v, 95).toFixed(1)} ms\n`);
  }
  if (!a.keep && a.dir === null) rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-index: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
