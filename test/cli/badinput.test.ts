/** End to end: bad input is reported once on stderr with its source and offset, and the rest is read. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ndjson, REAL, runCli } from '../helpers.js';
import { dgateLog, entryDataRange, gzip, tempDir, writeZip } from '../source/fixtures.js';

interface Ev {
  source: string;
  line: number;
  offset: number;
  kind: string;
  text: string;
}

let tmp: ReturnType<typeof tempDir>;
const GOOD = 'good.log';
const GOOD_TEXT = dgateLog(3, 'good');

/** Pseudo-random bytes, the same on every run. */
function noise(n: number, seed = 42): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = x >> 16;
  }
  return b;
}

function problems(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('cqlog: '));
}

function run(args: string[], input?: string | Buffer) {
  const r = runCli(args, { cwd: tmp.dir, ...(input !== undefined ? { input } : {}) });
  const json = args[0] === 'events' && args.includes('--json');
  return { ...r, evs: json ? ndjson<Ev>(r.stdout) : [], problems: problems(r.stderr) };
}

beforeAll(() => {
  tmp = tempDir('cqlog-cli-bad-');
  writeFileSync(path.join(tmp.dir, GOOD), GOOD_TEXT);
});
afterAll(() => tmp.remove());

describe('missing paths and bad arguments', () => {
  it('a missing path among good ones: reported, the others read, exit 0', () => {
    const r = run(['events', '--json', 'nope.log', GOOD, 'nofolder/']);
    expect(r.code).toBe(0);
    expect(r.evs.map((e) => e.source)).toEqual([GOOD, GOOD, GOOD]);
    expect(r.problems).toEqual(['cqlog: nope.log: no such file or folder', 'cqlog: nofolder/: no such file or folder']);
  });

  it('only missing paths: exit 2', () => {
    const r = run(['stats', 'nope.log', 'nope.zip']);
    expect(r.code).toBe(2);
    expect(r.problems).toHaveLength(2);
  });

  it('-q keeps stderr quiet but not the exit code', () => {
    const r = run(['events', '-q', 'nope.log']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
  });

  it.each([
    [['events', '--bogus', GOOD], /unknown option/],
    [['events', '--since', 'yesterday', GOOD], /not a time/],
    [['stats', '--until', '2024-13', GOOD], /not a time/],
    [['analyze', '--since', '2026-13-45', GOOD], /not a valid date/],
    [['events', '--since', '2026-02-30', GOOD], /not a valid date/],
    [['analyze', '--until', '2026-11-27T25:00', GOOD], /not a valid date/],
    [['events', '--since', '2026-11-26T23:60:00', GOOD], /not a valid date/],
    [['search', '--since', '2026-99-99', 'x'], /not a valid date/],
    [['events', '--kind', 'refused-link', GOOD], /'good\.log' is not a kind but looks like a path/],
    [['events', '--kind', 'refused-lnk', GOOD], /unknown kind 'refused-lnk'/],
    [['search', '--kind', 'refused-link,refused-lnk'], /unknown kind 'refused-lnk'/],
    [['analyze', '--json', '--markdown', GOOD], /cannot be used with option '--json'/],
    [['search', '--limit', '0', 'x'], /--limit is at least 1/],
    [['events', '--encoding', 'ebcdic', GOOD], /encoding/],
    [['nosuchcommand'], /unknown command/],
  ])('bad arguments %j: exit 2 with a message', (args, msg) => {
    const r = run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(r.stdout).toBe('');
  });
});

describe('zips', () => {
  it('random bytes named .zip: one message naming it, the good file read, exit 0; alone exit 2', () => {
    writeFileSync(path.join(tmp.dir, 'random.zip'), noise(4096));
    const r = run(['events', '--json', 'random.zip', GOOD]);
    expect(r.code).toBe(0);
    expect(r.evs).toHaveLength(3);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^cqlog: random\.zip, offset 0: /);
    expect(run(['events', 'random.zip']).code).toBe(2);
  });

  it('the genuine zip cut in half: reported with the offset of the cut; the entries before the cut are read', () => {
    const real = readFileSync(path.join(REAL, 's6-zip-rotation', 'router', 'logs', 'logs_20261127.zip'));
    const half = Math.floor(real.length / 2);
    writeFileSync(path.join(tmp.dir, 'half.zip'), real.subarray(0, half));
    const r = run(['events', '--json', 'half.zip']);
    expect(r.code).toBe(0);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(new RegExp(`^cqlog: half\\.zip, offset ${half}: corrupt or truncated zip`));
    // PacsUser.log lies before the cut (serverstatus.log, the last entry, after it).
    expect(r.evs.map((e) => e.source)).toEqual(['half.zip!PacsUser.log', 'half.zip!PacsUser.log']);
  });

  it('an empty file named .zip is reported, exit 2', () => {
    writeFileSync(path.join(tmp.dir, 'empty.zip'), '');
    const r = run(['events', 'empty.zip']);
    expect(r.code).toBe(2);
    expect(r.problems).toEqual([expect.stringMatching(/^cqlog: empty\.zip, offset 0: /)]);
  });

  it('flipped bytes inside one entry: that entry reported, the others read, exit 0', async () => {
    const file = path.join(tmp.dir, 'flipped.zip');
    await writeZip(file, { 'serverstatus.log': dgateLog(300, 's'), 'PacsTrouble.log': dgateLog(300, 't'), 'PacsUser.log': dgateLog(300, 'u') });
    const buf = readFileSync(file);
    const { start, end } = entryDataRange(buf, 'serverstatus.log');
    for (let i = start + Math.floor((end - start) / 3); i < end - 10; i += 5) buf[i] = buf[i]! ^ 0x5a;
    writeFileSync(file, buf);
    const r = run(['events', '--json', 'flipped.zip']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/internal error|Unhandled|at .*\.js:\d+/);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^cqlog: flipped\.zip!serverstatus\.log, (line \d+, )?offset \d+: read stopped: /);
    const count = (s: string) => r.evs.filter((e) => e.source === `flipped.zip!${s}`).length;
    expect(count('PacsTrouble.log')).toBe(300);
    expect(count('PacsUser.log')).toBe(300);
    expect(count('serverstatus.log')).toBeLessThan(300);
  });
});

describe('gzip', () => {
  it('a .gz cut midway: the lines before the cut, one message with the decompressed offset and line', () => {
    const text = dgateLog(5000, 'g');
    const gz = gzip(text);
    writeFileSync(path.join(tmp.dir, 'cut.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
    const r = run(['events', '--json', 'cut.gz', GOOD]);
    expect(r.code).toBe(0);
    expect(r.problems).toHaveLength(1);
    const m = /^cqlog: cut\.gz, line (\d+), offset (\d+): read stopped: unexpected end of file/.exec(r.problems[0]!);
    expect(m).not.toBeNull();
    const fromGz = r.evs.filter((e) => e.source === 'cut.gz');
    expect(fromGz.length).toBeGreaterThan(500);
    expect(Number(m![1])).toBe(fromGz[fromGz.length - 1]!.line);
    expect(Number(m![2])).toBeGreaterThan(fromGz[fromGz.length - 1]!.offset);
    expect(text.slice(0, Number(m![2]))).toContain(fromGz[fromGz.length - 2]!.text);
    expect(r.evs.filter((e) => e.source === GOOD)).toHaveLength(3);
  });

  it('a corrupt .gz (bad header) is reported and the run goes on; alone it exits 2', () => {
    writeFileSync(path.join(tmp.dir, 'bad.gz'), noise(2000, 7));
    const r = run(['events', '--json', 'bad.gz', GOOD]);
    expect(r.code).toBe(0);
    expect(r.problems).toEqual([expect.stringMatching(/^cqlog: bad\.gz, offset 0: read stopped: /)]);
    expect(run(['events', 'bad.gz']).code).toBe(2);
  });
});

describe('binary and odd text', () => {
  it('a PNG and random bytes named .log are skipped with one message each', () => {
    writeFileSync(path.join(tmp.dir, 'image.png'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), noise(3000, 3)]));
    writeFileSync(path.join(tmp.dir, 'noise.log'), noise(3000, 5));
    const r = run(['events', '--json', 'image.png', 'noise.log', GOOD]);
    expect(r.code).toBe(0);
    expect(r.problems).toEqual([
      'cqlog: image.png, offset 0: binary content (PNG image), not a text log; skipped',
      expect.stringMatching(/^cqlog: noise\.log, offset \d+: binary content, not a text log; skipped$/),
    ]);
    expect(r.evs.map((e) => e.source)).toEqual([GOOD, GOOD, GOOD]);
    expect(run(['stats', 'image.png']).code).toBe(2);
  });

  it('a 50 MB line: cut, reported with its line and offset, and the next line is still read', () => {
    const file = path.join(tmp.dir, 'long.log');
    const fd = openSync(file, 'w');
    const first = 'Fri Nov 27 19:35:09 2026 Started zip and cleanup thread\r\n';
    writeSync(fd, first);
    const block = Buffer.alloc(1 << 20, 0x41);
    for (let i = 0; i < 50; i++) writeSync(fd, block);
    writeSync(fd, '\r\nFri Nov 27 19:35:10 2026 Started zip and cleanup thread\r\n');
    closeSync(fd);
    const r = run(['events', '--json', 'long.log']);
    expect(r.code).toBe(0);
    expect(r.problems).toEqual([`cqlog: long.log, line 2, offset ${first.length}: line of ${50 << 20} bytes is longer than ${1 << 20}; kept its first ${1 << 20} bytes`]);
    const last = r.evs[r.evs.length - 1]!;
    expect(last).toMatchObject({ line: 3, offset: first.length + (50 << 20) + 2, kind: 'zip-thread' });
    expect(r.stdout.length).toBeLessThan(4 << 20);
  });

  it('invalid UTF-8 under --encoding utf8: one message with line and offset of the bad byte; latin1 has none', () => {
    const good = 'Fri Nov 27 19:35:09 2026 Started zip and cleanup thread\n';
    const bad = Buffer.concat([Buffer.from(good + good + 'Fri Nov 27 19:35:11 2026 Written file: /d/M'), Buffer.from([0xfc, 0xff]), Buffer.from('ller.dcm\n'), Buffer.from([0xc3, 0x28, 0x0a])]);
    writeFileSync(path.join(tmp.dir, 'bad-utf8.log'), bad);
    const r = run(['events', '--json', '--encoding', 'utf8', 'bad-utf8.log']);
    expect(r.code).toBe(0);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(new RegExp(`^cqlog: bad-utf8\\.log, line 3, offset ${bad.indexOf(0xfc)}: invalid UTF-8`));
    expect(r.evs[2]!.text.split('\n')[0]).toBe('Written file: /d/M\uFFFD\uFFFDller.dcm');
    const l = run(['events', '--json', 'bad-utf8.log']);
    expect(l.problems).toEqual([]);
    expect(l.evs[2]!.text.split('\n')[0]).toBe('Written file: /d/Müÿller.dcm');
  });

  it('NUL bytes left by a crash: one message with their line and offset, the lines around them read', () => {
    const a = 'Fri Nov 27 19:35:09 2026 Started zip and cleanup thread\n';
    writeFileSync(path.join(tmp.dir, 'nul.log'), Buffer.concat([Buffer.from(a), Buffer.alloc(3000), Buffer.from(a)]));
    const r = run(['events', '--json', 'nul.log']);
    expect(r.code).toBe(0);
    expect(r.problems).toEqual([expect.stringMatching(new RegExp(`^cqlog: nul\\.log, line 2, offset ${a.length}: NUL bytes`))]);
    expect(r.evs.filter((e) => e.kind === 'zip-thread')).toHaveLength(2);
  });

  it('an empty file is readable and gives nothing', () => {
    writeFileSync(path.join(tmp.dir, 'empty.log'), '');
    const r = run(['events', '--json', 'empty.log']);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('a folder with a good log and a binary one: the good one read, the binary one reported', () => {
    const dir = path.join(tmp.dir, 'mixed');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'serverstatus.log'), GOOD_TEXT);
    writeFileSync(path.join(dir, 'crash.log'), noise(1000, 9));
    const r = run(['events', '--json', 'mixed']);
    expect(r.code).toBe(0);
    expect(r.evs.map((e) => e.source)).toEqual(Array(3).fill('mixed/serverstatus.log'));
    expect(r.problems).toEqual([expect.stringMatching(/^cqlog: mixed\/crash\.log, offset \d+: binary content/)]);
  });

  it('an empty --since/--until window is a bad argument (exit 2) for the reading commands and search', () => {
    for (const cmd of [['analyze'], ['events'], ['stats'], ['timeline', '12345678']]) {
      const r = runCli([...cmd, GOOD, '--since', '2026-11-27T10:00', '--until', '2026-11-27T09:00'], { cwd: tmp.dir });
      expect(r.code, cmd[0]).toBe(2);
      expect(r.stderr).toMatch(/--since 2026-11-27T10:00:00 is not before --until 2026-11-27T09:00:00/);
    }
    const s = runCli(['search', '--db', path.join(tmp.dir, 'none.sqlite'), 'x', '--since', '2026-11-28', '--until', '2026-11-28']);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/is not before --until/);
  });

  it('report --out into a folder that does not exist: a plain message, exit 2', () => {
    const r = runCli(['report', GOOD, '--out', path.join(tmp.dir, 'no', 'such', 'r.md')], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^cqlog: cannot write the report to .*r\.md: ENOENT/);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});
