/**
 * Throughput and memory benchmark of `cqlog stats` on a big generated log (issue 2, item 9).
 *
 *   npm run bench -- [--size 1GB] [--seed N] [--runs N] [--also-4gb] [--incident]
 *
 * Generates (or reuses, cached under bench/out/, which git ignores) a log with generate-big, warms
 * the page cache, runs `node bin/cqlog.js stats FILE --json` (and `analyze`, issue 3's target of
 * 1.5x the time of stats) as a child process and measures wall
 * time and peak RSS (`/usr/bin/time -v` when present, otherwise a `--import` hook that prints
 * `process.resourceUsage().maxRSS` at exit). Runs `rg -c` and `lnav -n` on the same file when they
 * are on the PATH (and `grep -c`, always there) and prints the ratios in the same table.
 * Never run as a test: figures depend on the machine and its load.
 */
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, promises as fsp, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateToFile, parseSize, type GenerateOptions, type GenerateResult } from './generate-big.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT_DIR = path.join(ROOT, 'bench', 'out');
const BIN = path.join(ROOT, 'bin', 'cqlog.js');
const TARGET_MBPS = 400;
const TARGET_RSS_MB = 150;
const TARGET_ANALYZE_RATIO = 1.5;
const MB = 2 ** 20;
const RSS_MARK = 'cqlog-bench-maxrss-kb ';
const CPU_MARK = 'cqlog-bench-cpu-us ';
const RSS_HOOK = `data:text/javascript,process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write("\\n${RSS_MARK}"+u.maxRSS+"\\n${CPU_MARK}"+(u.userCPUTime+u.systemCPUTime)+"\\n")})`;

interface Measure {
  tool: string;
  wallS: number;
  rssMb: number | null;
  /** User plus system CPU time, all threads (above wallS when a worker thread helped). */
  cpuS: number | null;
  code: number;
  stdout: string;
  stderr: string;
  note?: string;
}

function onPath(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return null;
}

const TIME = existsSync('/usr/bin/time') && !process.env.CQLOG_BENCH_NO_TIME ? '/usr/bin/time' : null;

/** Runs a command, measuring wall time and (when possible) peak RSS. stdout is kept up to 64 MiB. */
function run(tool: string, cmd: string, args: string[], nodeHook = false, env: NodeJS.ProcessEnv = process.env): Promise<Measure> {
  let file = cmd;
  let argv = args;
  const viaTime = TIME !== null;
  if (viaTime) {
    argv = ['-v', cmd, ...args];
    file = TIME;
  } else if (nodeHook) {
    argv = ['--import', RSS_HOOK, ...args];
  }
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT, env });
    const out: Buffer[] = [];
    let outLen = 0;
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => {
      if (outLen < 64 * MB) {
        out.push(b);
        outLen += b.length;
      }
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
      let stderr = Buffer.concat(err).toString('utf8');
      let rssMb: number | null = null;
      const timeRss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const hookRss = new RegExp(`${RSS_MARK}(\\d+)`).exec(stderr);
      if (timeRss) rssMb = Number(timeRss[1]) / 1024;
      else if (hookRss) rssMb = Number(hookRss[1]) / 1024;
      let cpuS: number | null = null;
      const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
      const sys = /System time \(seconds\): ([\d.]+)/.exec(stderr);
      const hookCpu = new RegExp(`${CPU_MARK}(\\d+)`).exec(stderr);
      if (user && sys) cpuS = Number(user[1]) + Number(sys[1]);
      else if (hookCpu) cpuS = Number(hookCpu[1]) / 1e6;
      if (viaTime) stderr = stderr.replace(/\n?\tCommand being timed:[\s\S]*$/, '');
      resolve({ tool, wallS, rssMb, cpuS, code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
  });
}

/**
 * The generator's own compiled code. A cached log is reused only when it was made by the same code
 * (a version number bumped by hand was once forgotten: the benchmark then timed a log the generator
 * no longer makes, with refused deliveries that it has since stopped writing).
 */
async function generatorFingerprint(): Promise<string> {
  const h = createHash('sha256');
  for (const f of ['./generate-big.js', './dgateText.js', '../common/rng.js']) h.update(await fsp.readFile(new URL(f, import.meta.url)));
  return h.digest('hex').slice(0, 16);
}

/** A cached generated log: reused when its sidecar says it was made by the same generator with the same options. */
async function bigLog(opts: GenerateOptions, label: string): Promise<{ file: string; gen: GenerateResult; reused: boolean }> {
  await fsp.mkdir(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, `big-${label}-seed${opts.seed}${opts.incident ? '-incident' : ''}.log`);
  const meta = file + '.json';
  const want = { generator: await generatorFingerprint(), size: opts.size, seed: opts.seed, format: opts.format, incident: !!opts.incident };
  try {
    const saved = JSON.parse(await fsp.readFile(meta, 'utf8')) as { options: typeof want; result: GenerateResult };
    if (JSON.stringify(saved.options) === JSON.stringify(want) && (await fsp.stat(file)).size === saved.result.bytes) {
      return { file, gen: saved.result, reused: true };
    }
  } catch {
    /* not cached yet */
  }
  process.stderr.write(`bench: generating ${path.relative(ROOT, file)} (${(opts.size / MB).toFixed(0)} MB) …\n`);
  const t0 = Date.now();
  const gen = await generateToFile(file, opts);
  process.stderr.write(`bench: generated in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  await fsp.writeFile(meta, JSON.stringify({ options: want, result: gen }, null, 2) + '\n');
  return { file, gen, reused: false };
}

/** Reads the file once so every tool meets a warm page cache. */
async function warm(file: string): Promise<void> {
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(8 * MB);
    while ((await fh.read(buf, 0, buf.length, null)).bytesRead > 0) {
      /* read through */
    }
  } finally {
    await fh.close();
  }
}

interface Row {
  tool: string;
  wallS: number | null;
  rssMb: number | null;
  cpuS?: number | null;
  lines: number | null;
  note: string;
}

const fmt = (n: number | null, digits = 1): string => (n === null ? '-' : n.toFixed(digits));
const human = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)}k` : String(n));

function table(bytes: number, lines: number, rows: Row[]): string {
  const base = rows[0]?.wallS ?? null;
  const head = ['tool', 'wall s', 'CPU s', 'MB/s', 'lines/s', 'peak RSS MB', 'time vs cqlog', 'note'];
  const body = rows.map((r) => [
    r.tool,
    fmt(r.wallS, 2),
    fmt(r.cpuS ?? null, 2),
    r.wallS ? (bytes / MB / r.wallS).toFixed(0) : '-',
    r.wallS ? human(Math.round((r.lines ?? lines) / r.wallS)) : '-',
    fmt(r.rssMb),
    r.wallS && base ? `${(r.wallS / base).toFixed(2)}x` : '-',
    r.note,
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd();
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(line)].join('\n');
}

async function cqlogRun(file: string, runs: number): Promise<{ best: Measure; stats: { lines: number; unknown: number; events: number } | null; all: Measure[] }> {
  const all: Measure[] = [];
  for (let i = 0; i < runs; i++) all.push(await run('cqlog stats --json', process.execPath, [BIN, 'stats', file, '--json'], true));
  const best = all.reduce((a, b) => (b.wallS < a.wallS ? b : a));
  let stats: { lines: number; unknown: number; events: number } | null = null;
  try {
    stats = JSON.parse(best.stdout) as { lines: number; unknown: number; events: number };
  } catch {
    /* reported below */
  }
  return { best, stats, all };
}

async function benchFile(label: string, opts: GenerateOptions, runs: number, others: boolean, withAnalyze: boolean): Promise<void> {
  const { file, gen, reused } = await bigLog(opts, label);
  await warm(file);
  const bytes = gen.bytes;
  process.stdout.write(
    `\n== ${label}: ${path.relative(ROOT, file)}${reused ? ' (cached)' : ''}: ${(bytes / MB).toFixed(1)} MB, ${gen.lines.toLocaleString('en')} lines, ` +
      `${gen.associations.toLocaleString('en')} associations, ${gen.firstTime} .. ${gen.lastTime}\n`,
  );
  const rows: Row[] = [];
  const c = await cqlogRun(file, runs);
  const note = [
    c.best.code !== 0 ? `exit ${c.best.code}` : '',
    c.stats ? `unknown ${c.stats.unknown}` : 'no JSON on stdout',
    runs > 1 ? `best of ${runs}: ${c.all.map((m) => m.wallS.toFixed(1)).join('/')} s` : '',
  ]
    .filter(Boolean)
    .join('; ');
  rows.push({ tool: 'cqlog stats --json', wallS: c.best.wallS, rssMb: c.best.rssMb, cpuS: c.best.cpuS, lines: c.stats?.lines ?? gen.lines, note });
  if (c.best.code !== 0 || !c.stats) process.stderr.write(`bench: cqlog stderr:\n${c.best.stderr.slice(0, 2000)}\n`);

  // Issue 3's target: `cqlog analyze` within 1.5x the time of `cqlog stats`, same RSS bound. It is
  // also run in one thread (CQLOG_WORKER_LANE=0), alternating, to show what the worker thread gives.
  const analyzeRuns: Measure[] = [];
  const oneThreadRuns: Measure[] = [];
  if (withAnalyze) {
    for (let i = 0; i < runs; i++) {
      analyzeRuns.push(await run('cqlog analyze --json', process.execPath, [BIN, 'analyze', file, '--json'], true));
      oneThreadRuns.push(await run('cqlog analyze --json', process.execPath, [BIN, 'analyze', file, '--json'], true, { ...process.env, CQLOG_WORKER_LANE: '0' }));
    }
  }
  const bestOf = (ms: Measure[]): Measure | null => (ms.length > 0 ? ms.reduce((x, y) => (y.wallS < x.wallS ? y : x)) : null);
  const a = bestOf(analyzeRuns);
  const one = bestOf(oneThreadRuns);
  for (const [m, all, tool] of [
    [a, analyzeRuns, 'cqlog analyze --json'],
    [one, oneThreadRuns, 'cqlog analyze, one thread'],
  ] as const) {
    if (!m) continue;
    let found = '';
    try {
      const r = JSON.parse(m.stdout) as { collisions: unknown[]; warnings: unknown[] };
      found = `${r.collisions.length} collision(s), ${r.warnings.length} warning(s)`;
    } catch {
      found = 'no JSON on stdout';
    }
    const aNote = [m.code !== 0 ? `exit ${m.code}` : '', found, runs > 1 ? `best of ${runs}: ${all.map((x) => x.wallS.toFixed(1)).join('/')} s` : ''].filter(Boolean).join('; ');
    rows.push({ tool, wallS: m.wallS, rssMb: m.rssMb, cpuS: m.cpuS, lines: c.stats?.lines ?? gen.lines, note: aNote });
  }

  if (others) {
    const grep = onPath('grep');
    if (grep) {
      const m = await run('grep -c -F', grep, ['-c', '-F', 'Refused to enter inconsistent link', file]);
      rows.push({ tool: 'grep -c -F (baseline)', wallS: m.wallS, rssMb: m.rssMb, lines: null, note: `count ${m.stdout.trim()}` });
    }
    const rg = onPath('rg');
    if (rg) {
      const m = await run('rg -c', rg, ['-c', '-F', 'Refused to enter inconsistent link', file]);
      rows.push({ tool: 'rg -c', wallS: m.wallS, rssMb: m.rssMb, lines: null, note: `count ${m.stdout.trim() || '0'}` });
    } else rows.push({ tool: 'rg -c', wallS: null, rssMb: null, lines: null, note: 'skipped: rg not on PATH' });
    const lnav = onPath('lnav');
    if (lnav) {
      const m = await run('lnav -n', lnav, ['-n', file]);
      rows.push({ tool: 'lnav -n', wallS: m.wallS, rssMb: m.rssMb, lines: null, note: m.code === 0 ? '' : `exit ${m.code}` });
    } else rows.push({ tool: 'lnav -n', wallS: null, rssMb: null, lines: null, note: 'skipped: lnav not on PATH' });
  }
  process.stdout.write(table(bytes, gen.lines, rows) + '\n');
  const mbps = bytes / MB / c.best.wallS;
  const rss = c.best.rssMb;
  process.stdout.write(
    `targets: throughput >= ${TARGET_MBPS} MB/s: ${mbps.toFixed(0)} MB/s ${mbps >= TARGET_MBPS ? 'OK' : 'MISSED'}; ` +
      `peak RSS <= ${TARGET_RSS_MB} MB: ${rss === null ? 'not measured' : `${rss.toFixed(0)} MB ${rss <= TARGET_RSS_MB ? 'OK' : 'MISSED'}`}\n`,
  );
  if (a) {
    const ratio = a.wallS / c.best.wallS;
    process.stdout.write(
      `targets (analyze): time <= ${TARGET_ANALYZE_RATIO}x stats: ${ratio.toFixed(2)}x ${ratio <= TARGET_ANALYZE_RATIO ? 'OK' : 'MISSED'}; ` +
        `peak RSS <= ${TARGET_RSS_MB} MB: ${a.rssMb === null ? 'not measured' : `${a.rssMb.toFixed(0)} MB ${a.rssMb <= TARGET_RSS_MB ? 'OK' : 'MISSED'}`}\n`,
    );
  }
}

const USAGE = `usage: npm run bench -- [--size 1GB] [--seed N] [--runs N] [--also-4gb] [--incident] [--no-others] [--no-analyze]
  --size SIZE   size of the generated log (default 1GB; cached in bench/out/)
  --seed N      generator seed (default 1)
  --runs N      run cqlog N times and keep the fastest (default 1)
  --also-4gb    repeat the measurement (peak RSS above all) on a 4 GB log
  --incident    benchmark a log with the planted incident
  --no-others   do not run grep/rg/lnav
  --no-analyze  do not run cqlog analyze (issue 3's target: within 1.5x the time of stats)
`;

async function main(argv: string[]): Promise<number> {
  let size = parseSize('1GB');
  let seed = 1;
  let runs = 1;
  let also4 = false;
  let incident = false;
  let others = true;
  let withAnalyze = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--size') size = parseSize(val());
    else if (a === '--seed') seed = Number.parseInt(val(), 10);
    else if (a === '--runs') runs = Math.max(1, Number.parseInt(val(), 10) || 1);
    else if (a === '--also-4gb') also4 = true;
    else if (a === '--incident') incident = true;
    else if (a === '--no-others') others = false;
    else if (a === '--no-analyze') withAnalyze = false;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      return 0;
    } else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  process.stdout.write(
    `cqlog bench: node ${process.version}, ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? '?'}), load average ${load}, ` +
      `peak RSS via ${TIME ? '/usr/bin/time -v' : 'process.resourceUsage() hook'}; warm page cache; MB = 2^20 bytes\n`,
  );
  if (os.loadavg()[0]! > os.cpus().length * 0.5) process.stdout.write('note: the machine is busy; wall times are noisy\n');
  const label = (n: number): string => (n % 2 ** 30 === 0 ? `${n / 2 ** 30}GB` : `${Math.round(n / MB)}MB`);
  await benchFile(label(size), { size, seed, format: 'linux', incident }, runs, others, withAnalyze);
  if (also4) await benchFile('4GB', { size: 4 * 2 ** 30, seed, format: 'linux', incident }, 1, others, withAnalyze);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
