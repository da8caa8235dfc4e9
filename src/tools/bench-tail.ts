/**
 * Benchmark of `cqlog tail` (issue 4, item 8). Prints figures; never run as a timed test.
 *
 *   npm run build && node dist/tools/bench-tail.js [--rotations 100] [--rate 1000] [--latency-samples 60] [--idle-seconds 10]
 *
 * 1. Alert latency: a dgate-like writer (open-append-close per line, CRLF) writes a `***` line now and
 *    then among ordinary lines; the time from its write to the alert on the tail's stdout (default mode:
 *    chokidar + 1 s checks). p50/p95/max.
 * 2. Rotations: the writer does RATE lines/s and zips-and-deletes serverstatus.log (yazl) ROTATIONS
 *    times; the tail's line counter must equal the lines written, and every `***` line must alert once.
 * 3. Idle CPU: a tail in this process, nothing written, process.cpuUsage over IDLE seconds.
 */
import { spawn } from 'node:child_process';
import { closeSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';
import { resolveTarget, TailRunner } from '../alert/tail.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'cqlog.js');

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 ? Number(process.argv[i + 1]) : def;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class Writer {
  private sec = Date.UTC(2026, 10, 27, 4, 0, 0) / 1000;
  private n = 0;
  lines = 0;
  rotations = 0;
  constructor(readonly dir: string) {}

  private stamp(): string {
    if (++this.n % 50 === 0) this.sec++;
    return new Date(this.sec * 1000).toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) ([\d:]+) GMT$/, '$1 $3 $2 $5 $4');
  }

  write(msg: string): void {
    const fd = openSync(path.join(this.dir, 'serverstatus.log'), 'a');
    try {
      writeSync(fd, Buffer.from(`${this.stamp()} ${msg}\r\n`, 'latin1'));
    } finally {
      closeSync(fd);
    }
    this.lines++;
  }

  async rotate(): Promise<void> {
    const live = path.join(this.dir, 'serverstatus.log');
    if (!existsSync(live)) return;
    const logs = path.join(this.dir, 'logs');
    mkdirSync(logs, { recursive: true });
    this.rotations++;
    const name = `logs_20261126_${String(this.rotations).padStart(4, '0')}.zip`;
    const z = new yazl.ZipFile();
    z.addBuffer(readFileSync(live), 'serverstatus.log');
    z.end();
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(path.join(logs, name));
      out.on('close', () => resolve());
      out.on('error', reject);
      z.outputStream.pipe(out);
    });
    unlinkSync(live);
    this.sec++;
    this.write(`Dgate zipped todays log files as: /opt/conquest/logs/${name}`);
  }
}

interface Tail {
  alerts: { id: string; text: string; at: number }[];
  summary: Promise<Record<string, unknown> | null>;
  stop(): void;
}

function startTail(dir: string, state: string): Tail {
  const child = spawn(process.execPath, [BIN, 'tail', dir, '--json', '--alert', 'error', '--state', state, '--from-start'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const alerts: Tail['alerts'] = [];
  let buf = '';
  let summary: Record<string, unknown> | null = null;
  child.stdout.on('data', (d: Buffer) => {
    const at = performance.now();
    buf += d.toString('utf8');
    let nl;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const o = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
      buf = buf.slice(nl + 1);
      if (o.notice === 'summary') summary = o;
      else if (!o.notice) alerts.push({ id: String(o.id), text: String(o.text), at });
    }
  });
  return {
    alerts,
    summary: new Promise((r) => child.on('close', () => r(summary))),
    stop: () => child.kill('SIGTERM'),
  };
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function latency(tmp: string, samples: number): Promise<void> {
  const dir = path.join(tmp, 'latency');
  mkdirSync(dir, { recursive: true });
  const w = new Writer(dir);
  w.write('Started zip and cleanup thread');
  const tail = startTail(dir, path.join(tmp, 'latency.json'));
  await sleep(1500);
  const written = new Map<string, number>();
  for (let i = 0; i < samples; i++) {
    for (let k = 0; k < 5; k++) w.write('C-Echo');
    const text = `***Error saving to SQL: bench-${i}`;
    written.set(text, performance.now());
    w.write(text);
    await sleep(100 + ((i * 37) % 200));
  }
  const deadline = Date.now() + 5000;
  while (tail.alerts.length < samples && Date.now() < deadline) await sleep(50);
  tail.stop();
  await tail.summary;
  const lat = tail.alerts.filter((a) => written.has(a.text)).map((a) => a.at - written.get(a.text)!);
  console.log(`alert latency (default mode, ${lat.length}/${samples} alerts): p50 ${pct(lat, 50).toFixed(0)} ms, p95 ${pct(lat, 95).toFixed(0)} ms, max ${Math.max(...lat).toFixed(0)} ms`);
}

async function rotations(tmp: string, count: number, rate: number): Promise<void> {
  const dir = path.join(tmp, 'rotate');
  mkdirSync(dir, { recursive: true });
  const w = new Writer(dir);
  const tail = startTail(dir, path.join(tmp, 'rotate.json'));
  await sleep(1000);
  const perRotation = Math.max(50, Math.round(rate / 5)); // a rotation every 0.2 s at the default rate
  const total = perRotation * (count + 1);
  const start = performance.now();
  let errors = 0;
  const batch = Math.max(1, Math.round(rate / 100)); // lines per 10 ms tick
  for (let i = 0; i < total; ) {
    for (let k = 0; k < batch && i < total; k++, i++) {
      if (i > 0 && i % perRotation === 0) await w.rotate();
      if (i % 97 === 0) {
        w.write(`***Error saving to SQL: rotation-bench-${i}`);
        errors++;
      } else w.write('C-Echo');
    }
    const due = start + (i / rate) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const secs = (performance.now() - start) / 1000;
  // Let the tail catch up, then stop it and read its counter.
  const deadline = Date.now() + 20_000;
  while (tail.alerts.length < errors && Date.now() < deadline) await sleep(100);
  await sleep(1500);
  tail.stop();
  const s = await tail.summary;
  const ids = new Set(tail.alerts.map((a) => a.id));
  const lines = Number(s?.lines ?? NaN);
  console.log(
    `rotations: ${w.rotations} in ${secs.toFixed(1)} s at ${(w.lines / secs).toFixed(0)} lines/s; lines written ${w.lines}, counted by the tail ${lines} ` +
      `(lost ${Math.max(0, w.lines - lines)}, repeated ${Math.max(0, lines - w.lines)}); *** lines ${errors}, alerts ${tail.alerts.length}, distinct ${ids.size}, gaps ${String(s?.gaps)}`,
  );
}

async function idleCpu(tmp: string, seconds: number): Promise<void> {
  const dir = path.join(tmp, 'idle');
  mkdirSync(dir, { recursive: true });
  const w = new Writer(dir);
  for (let i = 0; i < 1000; i++) w.write('C-Echo');
  const target = await resolveTarget(dir);
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const runner = new TailRunner(target, { json: true, stateFile: path.join(tmp, 'idle.json'), fromStart: true, once: false, alert: new Set(['error']), redact: false, encoding: 'latin1', quiet: true, out: sink });
  const done = runner.run();
  await sleep(2000);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const c = process.cpuUsage(c0);
  const ms = performance.now() - t0;
  runner.stop();
  await done;
  const share = ((c.user + c.system) / 1000 / ms) * 100;
  console.log(`idle CPU (default mode, ${seconds} s): ${share.toFixed(3)}% of a core (user ${(c.user / 1000).toFixed(1)} ms, system ${(c.system / 1000).toFixed(1)} ms)`);
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cqlog-bench-tail-'));
  try {
    console.log(`cqlog tail benchmark (node ${process.version}, ${os.platform()} ${os.arch()}, ${os.cpus().length} CPUs)`);
    await latency(tmp, arg('latency-samples', 60));
    await rotations(tmp, arg('rotations', 100), arg('rate', 1000));
    await idleCpu(tmp, arg('idle-seconds', 10));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

void main();
