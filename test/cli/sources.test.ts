/** End to end: what a path given to a command may be (issue 2, item 2), through bin/cqlog.js. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ndjson, REAL, runCli } from '../helpers.js';
import { dgateLog, gzip, tempDir, writeZip } from '../source/fixtures.js';

interface Ev {
  source: string;
  line: number;
  offset: number;
  time: string | null;
  kind: string;
  text: string;
}

const S6 = path.join(REAL, 's6-zip-rotation', 'router');
let tmp: ReturnType<typeof tempDir>;

beforeAll(() => {
  tmp = tempDir('cqlog-cli-sources-');
});
afterAll(() => tmp.remove());

function sourcesInOrder(evs: Ev[]): string[] {
  const out: string[] = [];
  for (const e of evs) if (out[out.length - 1] !== e.source) out.push(e.source);
  return out;
}

describe('a Conquest folder (genuine s6-zip-rotation)', () => {
  it('run inside it without a path: the zip entries first with ! names, then the live logs; dicom.ini read', () => {
    const r = runCli(['events', '--json'], { cwd: S6 });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const evs = ndjson<Ev>(r.stdout);
    expect(sourcesInOrder(evs)).toEqual([
      'logs/logs_20261127.zip!serverstatus.log',
      'logs/logs_20261127.zip!PacsUser.log',
      'serverstatus.log',
      'PacsUser.log',
    ]);
    expect(evs[0]).toMatchObject({ line: 1, offset: 0, time: '2026-11-27T19:35:09' });
    // The live log starts with the zip notice (reference §1.7), after everything from the archive.
    const live = evs.find((e) => e.source === 'serverstatus.log')!;
    expect(live).toMatchObject({ line: 1, offset: 0, text: 'Dgate zipped todays log files as: /opt/conquest/logs/logs_20261127.zip' });
    expect(evs.indexOf(live)).toBe(evs.filter((e) => e.source.startsWith('logs/')).length);

    const s = runCli(['stats', '--json'], { cwd: S6 });
    expect(s.code).toBe(0);
    const stats = JSON.parse(s.stdout) as { configs: { source: string; myAe: string }[]; sources: { source: string; readable: boolean }[] };
    expect(stats.configs.map((c) => [c.source, c.myAe])).toEqual([
      ['dicom.ini', 'ROUTER'],
      ['logs/logs_20261127.zip!dicom.ini', 'ROUTER'],
    ]);
    expect(stats.sources.map((x) => x.source)).toContain('logs/logs_20261127.zip!PacsTrouble.log');
  });

  it('given by path: names start with the path as given, / separated, no doubled /', () => {
    const rel = path.relative(tmp.dir, S6);
    const r = runCli(['events', '--json', rel + path.sep], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    const shown = rel.split(path.sep).join('/');
    expect(sourcesInOrder(ndjson<Ev>(r.stdout))).toEqual([
      `${shown}/logs/logs_20261127.zip!serverstatus.log`,
      `${shown}/logs/logs_20261127.zip!PacsUser.log`,
      `${shown}/serverstatus.log`,
      `${shown}/PacsUser.log`,
    ]);
  });

  it('the zip given alone reads only its log entries', () => {
    const r = runCli(['events', '--json', 'logs/logs_20261127.zip'], { cwd: S6 });
    expect(r.code).toBe(0);
    expect(sourcesInOrder(ndjson<Ev>(r.stdout))).toEqual(['logs/logs_20261127.zip!serverstatus.log', 'logs/logs_20261127.zip!PacsUser.log']);
  });
});

describe('zips, gzips, stdin', () => {
  it('a zip built here: serverstatus.log, PacsTrouble.log, then the other logs; ini and map entries not read as logs', async () => {
    const file = path.join(tmp.dir, 'logs_20240311.zip');
    await writeZip(file, {
      'PacsUser.log': dgateLog(2, 'u'),
      'acrnema.map': 'ANY  127.0.0.1  104  un\n',
      'dicom.ini': '[sscscp]\nMyACRNema = ZIPPED\n',
      'PacsTrouble.log': dgateLog(3, 't', '\r\n'),
      'serverstatus.log': dgateLog(4, 's', '\r\n'),
      'sub/maintenance.log': dgateLog(1, 'm'),
    });
    const r = runCli(['events', '--json', 'logs_20240311.zip'], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const evs = ndjson<Ev>(r.stdout);
    expect(sourcesInOrder(evs)).toEqual([
      'logs_20240311.zip!serverstatus.log',
      'logs_20240311.zip!PacsTrouble.log',
      'logs_20240311.zip!PacsUser.log',
      'logs_20240311.zip!sub/maintenance.log',
    ]);
    const lineLen = dgateLog(3, 't', '\r\n').indexOf('\n') + 1;
    expect(evs.filter((e) => e.source.endsWith('PacsTrouble.log')).map((e) => e.offset)).toEqual([0, lineLen, 2 * lineLen]);
    expect(evs.every((e) => !e.text.includes('\r'))).toBe(true);
    const s = JSON.parse(runCli(['stats', '--json', 'logs_20240311.zip'], { cwd: tmp.dir }).stdout) as { configs: { source: string; myAe: string }[] };
    expect(s.configs).toEqual([expect.objectContaining({ source: 'logs_20240311.zip!dicom.ini', myAe: 'ZIPPED' })]);
  });

  it('a .gz built with zlib, with decompressed offsets', () => {
    const text = dgateLog(5, 'g', '\r\n');
    writeFileSync(path.join(tmp.dir, 'serverstatus.log.gz'), gzip(text));
    const r = runCli(['events', '--json', 'serverstatus.log.gz'], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    const evs = ndjson<Ev>(r.stdout);
    expect(evs.map((e) => [e.source, e.line, e.offset])).toEqual(
      [0, 1, 2, 3, 4].map((i) => ['serverstatus.log.gz', i + 1, i * (text.length / 5)]),
    );
  });

  it('- reads standard input, CRLF and LF alike, a last line without newline too', () => {
    const l1 = 'Fri Nov 27 19:35:09 2026 Started zip and cleanup thread\r\n';
    const l2 = 'Fri Nov 27 19:35:10 2026 Started zip and cleanup thread\n';
    const input = Buffer.from(l1 + l2 + 'Fri Nov 27 19:35:11 2026 last', 'latin1');
    const r = runCli(['events', '--json', '-'], { input });
    expect(r.code).toBe(0);
    const evs = ndjson<Ev>(r.stdout);
    expect(evs.map((e) => [e.source, e.line, e.offset, e.time])).toEqual([
      ['-', 1, 0, '2026-11-27T19:35:09'],
      ['-', 2, l1.length, '2026-11-27T19:35:10'],
      ['-', 3, l1.length + l2.length, '2026-11-27T19:35:11'],
    ]);
    expect(evs[2]!.text).toBe('last');
  });

  it('a file, a folder, a gz and stdin together, each read once, in the order given', () => {
    const dir = path.join(tmp.dir, 'mix');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'PacsTrouble.log'), dgateLog(1, 'p'));
    writeFileSync(path.join(tmp.dir, 'one.log'), dgateLog(1, 'o'));
    writeFileSync(path.join(tmp.dir, 'two.gz'), gzip(dgateLog(1, 'z')));
    const r = runCli(['events', '--json', 'one.log', 'mix', '-', 'two.gz'], { cwd: tmp.dir, input: dgateLog(1, 'i') });
    expect(r.code).toBe(0);
    expect(ndjson<Ev>(r.stdout).map((e) => e.source)).toEqual(['one.log', 'mix/PacsTrouble.log', '-', 'two.gz']);
  });

  it('latin1 by default keeps raw bytes; --encoding utf8 decodes UTF-8', () => {
    const bytes = Buffer.from('Fri Nov 27 19:35:09 2026 Written file: /d/Jürgen.dcm\n', 'utf8');
    writeFileSync(path.join(tmp.dir, 'enc.log'), bytes);
    expect(ndjson<Ev>(runCli(['events', '--json', 'enc.log'], { cwd: tmp.dir }).stdout)[0]!.text).toBe('Written file: /d/JÃ¼rgen.dcm');
    const u = runCli(['events', '--json', '--encoding', 'utf8', 'enc.log'], { cwd: tmp.dir });
    expect(u.stderr).toBe('');
    expect(ndjson<Ev>(u.stdout)[0]!.text).toBe('Written file: /d/Jürgen.dcm');
  });
});

describe('Windows-style names', () => {
  it('a path with backslashes is shown with /', () => {
    const r = runCli(['events', 'D:\\conquest\\logs\\logs_20240311.zip']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cqlog: D:/conquest/logs/logs_20240311.zip: no such file or folder');
    expect(r.stderr).not.toContain('\\');
  });
});
