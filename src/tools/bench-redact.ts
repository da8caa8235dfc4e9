/**
 * Cost of `--redact` as the learned names grow, when they share a first word (`VAN …`, `DE …`,
 * the worst case for finding literals by their first word).
 *
 *   npm run bench:redact -- [--names 1000,20000,100000] [--lines 20000]
 *
 * For each count: learns that many names, then redacts lines that hold one known name and lines
 * that hold none, and prints the microseconds per learned name and per line. Never run as a test:
 * figures depend on the machine and its load.
 */
import { performance } from 'node:perf_hooks';
import { Redactor } from '../report/redact.js';

const KEY = Buffer.from('cqlog-bench-redact');

function arg(argv: string[], name: string, dflt: string): string {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
}

function name(i: number): string {
  return `VAN ${(i * 2654435761) % 1_000_003}^JAN ${i % 97}`;
}

function main(argv: string[]): number {
  const counts = arg(argv, '--names', '1000,20000,100000')
    .split(',')
    .map((x) => Number(x.trim()));
  const lines = Number(arg(argv, '--lines', '20000'));
  if (counts.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(lines) || lines < 1) {
    process.stderr.write('usage: bench-redact [--names N,N,…] [--lines N]\n');
    return 2;
  }
  process.stdout.write(`names sharing the first word "VAN"; ${lines} lines redacted per count (half name one, half none)\n`);
  process.stdout.write('| names | learn µs/name | redact µs/line |\n| ---: | ---: | ---: |\n');
  for (const n of counts) {
    const r = new Redactor(KEY);
    let t = performance.now();
    for (let i = 0; i < n; i++) r.learnName(name(i));
    const learnUs = ((performance.now() - t) * 1000) / n;
    const text: string[] = [];
    for (let i = 0; i < lines; i++) text.push(i % 2 === 0 ? `Inconsistent study of ${name(i % n)} VAN DER BERG, seen on CT01` : `Written file: D:\\data\\VAN\\1.2.3_${i}.dcm VAN meeting`);
    t = performance.now();
    let replaced = 0;
    for (const s of text) if (r.text(s) !== s) replaced++;
    const lineUs = ((performance.now() - t) * 1000) / lines;
    process.stdout.write(`| ${n} | ${learnUs.toFixed(1)} | ${lineUs.toFixed(1)} |\n`);
    if (replaced < lines / 2) process.stderr.write(`warning: only ${replaced} of ${lines} lines changed\n`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
