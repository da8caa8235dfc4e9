/**
 * Benchmark of the historical index (issue 5, item 7): generates a log, indexes it, and prints the
 * ingest rate, the database size against the raw size, and the latency of a few hundred searches.
 *
 *   node dist/tools/bench-index.js [--lines 1000000 | --size 100MB | --log FILE] [--queries 300] [--dir DIR] [--keep]
 *
 * `--lines N` writes exactly N dgate lines with the store's own generator (src/store/synth.ts);
 * `--size` uses dist/tools/generate-big.js instead; `--log` indexes a log you have. The queries use
 * patient IDs, UIDs, AEs and paths sampled from the log itself. Targets: ≥30 MB/s ingest, p95 ≤50 ms at 10M
 * lines, database ≤1.5× the raw log.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { indexPaths } from '../store/ingest.js';
import { openStore } from '../store/schema.js';
import { search, type SearchQuery } from '../store/search.js';
import { rng, synthBlocks } from '../store/synth.js';
import { EventAssembler } from '../parse/assemble.js';
import { decodeLine, LineSplitter } from '../source/lines.js';

interface Args {
  lines: number | null;
  size: string | null;
  queries: number;
  dir: string | null;
  keep: boolean;
  patients: number;
  /** An existing log to index instead of a generated one. */
  log: string | null;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { lines: null, size: null, queries: 300, dir: null, keep: false, patients: 20000, log: null };
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
    else if (k === '--log') a.log = v();
    else if (k === '-h' || k === '--help') {
      process.stdout.write('usage: node dist/tools/bench-index.js [--lines N | --size 100MB | --log FILE] [--queries N] [--patients N] [--dir DIR] [--keep]\n');
      process.exit(0);
    } else throw new Error(`unknown option ${k}`);
  }
  if (a.lines === null && a.size === null && a.log === null) a.lines = 1_000_000;
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

interface Sampled {
  patients: string[];
  studies: string[];
  series: string[];
  aes: string[];
  /** `<folder>\\<patient>\\<series UID>`: a path as a user would paste it. */
  dirs: string[];
}

/** Values found in the log itself: events parsed from 64 KiB read at 300 random places. */
function sampleValues(file: string, size: number, rand: () => number): Sampled {
  const sets = { patients: new Set<string>(), studies: new Set<string>(), series: new Set<string>(), aes: new Set<string>(), dirs: new Set<string>() };
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(64 * 1024);
  try {
    for (let k = 0; k < 300; k++) {
      const at = Math.floor(rand() * Math.max(1, size - buf.length));
      const n = readSync(fd, buf, 0, buf.length, at);
      const from = at === 0 ? 0 : buf.indexOf(10) + 1;
      const asm = new EventAssembler('sample', {}, (e) => {
        const f = e.fields;
        const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
        const pat = str(f.patientFolder) ?? str(f.patientId);
        if (pat) sets.patients.add(pat);
        const st = str(f.studyUid);
        if (st) sets.studies.add(st);
        const se = str(f.seriesUid);
        if (se) sets.series.add(se);
        if (e.kind === 'calling-ae' || e.kind === 'called-ae') {
          const ae = str(f.ae);
          if (ae) sets.aes.add(ae);
        }
        const p = str(f.path);
        if (p && se) {
          const at2 = p.indexOf(se);
          if (at2 > 0) sets.dirs.add(p.slice(0, at2 + se.length));
        }
      }, () => {});
      const sp = new LineSplitter('sample', (b, s, e, off, line) => asm.line(decodeLine(b, s, e), off, line), () => {});
      sp.push(buf.subarray(from, n));
      asm.end();
    }
  } finally {
    closeSync(fd);
  }
  return { patients: [...sets.patients], studies: [...sets.studies], series: [...sets.series], aes: [...sets.aes], dirs: [...sets.dirs] };
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const dir = a.dir ?? mkdtempSync(path.join(os.tmpdir(), 'cqlog-bench-index-'));
  const log = a.log !== null ? path.resolve(a.log) : path.join(dir, 'serverstatus.log');
  const dbFile = path.join(dir, 'index.sqlite');
  rmSync(dbFile, { force: true });
  rmSync(dbFile + '-wal', { force: true });
  rmSync(dbFile + '-shm', { force: true });
  const tg = performance.now();
  if (a.log !== null) {
    if (!existsSync(log)) throw new Error(`no such log: ${log}`);
  } else if (a.size !== null) {
    const gen = path.join(path.dirname(fileURLToPath(import.meta.url)), 'generate-big.js');
    const r = spawnSync(process.execPath, [gen, '--size', a.size, '--out', log, '--format', 'windows'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('generate-big failed');
  } else {
    writeSynth(log, a.lines!, a.patients);
  }
  const raw = statSync(log).size;
  process.stdout.write(`${a.log !== null ? "log" : "generated"} ${log}: ${(raw / 1e6).toFixed(1)} MB in ${((performance.now() - tg) / 1000).toFixed(1)} s\n`);

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

  // Queries from what the log holds: patient IDs, study and series UIDs, AEs over a week, a kind, a path, a miss.
  const rdb = openStore(dbFile, { readonly: true });
  const rand = rng(7);
  const span = rdb.prepare('SELECT min(tmin) AS a, max(tmax) AS b FROM blocks').get() as { a: number; b: number };
  const iso = (t: number): string => new Date(t * 1000).toISOString().slice(0, 19);
  const seen = sampleValues(log, raw, rand);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  process.stdout.write(
    `sampled from the log: ${seen.patients.length} patient IDs, ${seen.studies.length} study UIDs, ${seen.series.length} series UIDs, ${seen.aes.length} AEs, ${seen.dirs.length} paths\n`,
  );
  const qs: [string, SearchQuery][] = [];
  for (let i = 0; i < a.queries; i++) {
    const from = span.a + Math.floor(rand() * Math.max(1, span.b - span.a));
    const r = i % 8;
    if (r === 0 && seen.patients.length) qs.push(['text patient id', { text: pick(seen.patients), limit: 200 }]);
    else if (r === 1 && seen.patients.length) qs.push(['--patient', { patient: pick(seen.patients), limit: 200 }]);
    else if (r === 2 && seen.studies.length) qs.push(['--study', { study: pick(seen.studies), limit: 200 }]);
    else if (r === 3 && seen.series.length) qs.push(['text series uid', { text: pick(seen.series), limit: 200 }]);
    else if (r === 4 && seen.aes.length) qs.push(['--ae in a week', { ae: pick(seen.aes), since: iso(from), until: iso(from + 7 * 86400), limit: 200 }]);
    else if (r === 5 && seen.patients.length) qs.push(['kind refused-link', { kinds: ['refused-link'], patient: pick(seen.patients), limit: 200 }]);
    else if (r === 6 && seen.dirs.length) qs.push(['path', { text: pick(seen.dirs), limit: 200 }]);
    else if (r === 7 && seen.patients.length) qs.push(['miss', { text: `zq${pick(seen.patients)}`, limit: 200 }]);
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
