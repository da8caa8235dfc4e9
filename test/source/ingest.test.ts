/** readEvents over zips, gzips and folders: configs found, corrupt parts reported, the rest read. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readEvents, type IngestResult } from '../../src/pipeline/readEvents.js';
import type { InputProblem, LogEvent } from '../../src/parse/event.js';
import { displayName } from '../../src/source/types.js';
import { REAL } from '../helpers.js';
import { dgateLog, entryDataRange, gzip, tempDir, writeZip } from './fixtures.js';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('cqlog-ingest-');
});
afterAll(() => tmp.remove());

async function ingest(paths: string[], encoding: 'latin1' | 'utf8' = 'latin1') {
  const events: LogEvent[] = [];
  const problems: InputProblem[] = [];
  const result: IngestResult = await readEvents(paths, { encoding, dateOrder: 'dmy' }, (e) => events.push(e), (p) => problems.push(p));
  return { events, problems, result };
}

/** Open file descriptors of this process that point at the file (Linux only; null elsewhere). */
function openHandles(file: string): number | null {
  if (!existsSync('/proc/self/fd')) return null;
  const target = path.resolve(file);
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === target) n++;
    } catch {
      /* closed meanwhile */
    }
  }
  return n;
}

describe('configs (dicom.ini) found', () => {
  it('lists the folder ini and the ini inside each zip, with their source names', async () => {
    const srv = path.join(tmp.dir, 'srv');
    mkdirSync(path.join(srv, 'logs'), { recursive: true });
    writeFileSync(path.join(srv, 'dicom.ini'), '[sscscp]\r\nMyACRNema = NOW\r\n');
    writeFileSync(path.join(srv, 'serverstatus.log'), dgateLog(2, 'live'));
    await writeZip(path.join(srv, 'logs', 'logs_20261126.zip'), { 'serverstatus.log': dgateLog(3, 'old'), 'dicom.ini': '[sscscp]\nMyACRNema = BEFORE\n', 'acrnema.map': 'x' });
    const { result, events, problems } = await ingest([srv]);
    const g = displayName(srv);
    expect(result.configs.map((c) => [c.source, c.myAe])).toEqual([
      [`${g}/dicom.ini`, 'NOW'],
      [`${g}/logs/logs_20261126.zip!dicom.ini`, 'BEFORE'],
    ]);
    expect(events.map((e) => e.source)).toEqual([...Array(3).fill(`${g}/logs/logs_20261126.zip!serverstatus.log`), ...Array(2).fill(`${g}/serverstatus.log`)]);
    expect(problems).toEqual([]);
  });

  it('finds both inis of the genuine s6-zip-rotation folder', async () => {
    const dir = path.join(REAL, 's6-zip-rotation', 'router');
    const { result } = await ingest([dir]);
    const g = displayName(dir);
    expect(result.configs.map((c) => [c.source, c.myAe, c.virtualServers])).toEqual([
      [`${g}/dicom.ini`, 'ROUTER', ['MAINPACS']],
      [`${g}/logs/logs_20261127.zip!dicom.ini`, 'ROUTER', ['MAINPACS']],
    ]);
    expect(result.sources.map((s) => s.source.slice(g.length + 1))).toEqual([
      'logs/logs_20261127.zip!serverstatus.log',
      'logs/logs_20261127.zip!PacsTrouble.log',
      'logs/logs_20261127.zip!PacsUser.log',
      'serverstatus.log',
      'PacsUser.log',
    ]);
    expect(result.sources.every((s) => s.readable)).toBe(true);
  });
});

describe('zips', () => {
  it('a corrupt entry is reported, the others are read, nothing is left open', async () => {
    const file = path.join(tmp.dir, 'bad-entry.zip');
    await writeZip(file, { 'serverstatus.log': dgateLog(500, 'a'), 'PacsTrouble.log': dgateLog(500, 'b'), 'PacsUser.log': dgateLog(500, 'c') });
    const buf = readFileSync(file);
    const { start, end } = entryDataRange(buf, 'PacsTrouble.log');
    for (let i = start + 20; i < end - 20; i += 7) buf[i] = buf[i]! ^ 0xa5;
    writeFileSync(file, buf);
    const { events, problems, result } = await ingest([file]);
    const n = displayName(file);
    const bySource = (s: string) => events.filter((e) => e.source === `${n}!${s}`).length;
    expect(bySource('serverstatus.log')).toBe(500);
    expect(bySource('PacsUser.log')).toBe(500);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ source: `${n}!PacsTrouble.log`, offset: expect.any(Number) });
    expect(problems[0]!.message).toMatch(/^read stopped: /);
    expect(result.sources.find((s) => s.source === `${n}!PacsTrouble.log`)!.problems).toBe(1);
    // The handle is closed asynchronously: give it a moment under load before asserting.
    let open = openHandles(file);
    for (let i = 0; i < 40 && open !== null && open > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      open = openHandles(file);
    }
    if (open !== null) expect(open).toBe(0);
  });

  it('a stored entry whose bytes were changed is read and reported by its CRC-32', async () => {
    const file = path.join(tmp.dir, 'crc.zip');
    await writeZip(file, { 'serverstatus.log': dgateLog(20, 'a') }, true);
    const buf = readFileSync(file);
    const { start } = entryDataRange(buf, 'serverstatus.log');
    buf[start + 50] = 0x21; // inside the first line's path
    writeFileSync(file, buf);
    const { events, problems } = await ingest([file]);
    expect(events).toHaveLength(20);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/CRC-32 mismatch/);
    expect(problems[0]!.offset).toBe(Buffer.byteLength(dgateLog(20, 'a')));
  });

  it('a zip cut in half is salvaged from its local headers: whole entries are read, the cut one up to the cut', async () => {
    const file = path.join(tmp.dir, 'cut.zip');
    const whole = path.join(tmp.dir, 'whole.zip');
    await writeZip(whole, { 'PacsUser.log': dgateLog(50, 'u'), 'serverstatus.log': dgateLog(4000, 's') });
    const buf = readFileSync(whole);
    const { start, end } = entryDataRange(buf, 'serverstatus.log');
    const at = Math.floor((start + end) / 2);
    writeFileSync(file, buf.subarray(0, at));
    const { events, problems, result } = await ingest([file]);
    const n = displayName(file);
    expect(events.filter((e) => e.source === `${n}!PacsUser.log`)).toHaveLength(50);
    const cutEvents = events.filter((e) => e.source === `${n}!serverstatus.log`);
    expect(cutEvents.length).toBeGreaterThan(100);
    expect(cutEvents.length).toBeLessThan(4000);
    // The lines before the cut are the genuine ones, in order.
    const want = dgateLog(4000, 's').split('\n');
    cutEvents.slice(0, -1).forEach((e, i) => expect(e.line).toBe(i + 1));
    expect(cutEvents[cutEvents.length - 2]!.text).toBe(want[cutEvents.length - 2]!.slice(25));
    expect(problems.map((p) => p.source)).toEqual([n, `${n}!serverstatus.log`]);
    expect(problems[0]).toMatchObject({ offset: at });
    expect(problems[0]!.message).toMatch(/truncated zip.*ends inside serverstatus\.log/);
    expect(problems[1]).toMatchObject({ line: expect.any(Number), offset: expect.any(Number) });
    expect(result.sources.filter((s) => s.readable).map((s) => s.source)).toEqual([`${n}!serverstatus.log`, `${n}!PacsUser.log`]);
  });

  it('a binary entry is skipped, the next entry read, and the zip closed', async () => {
    const file = path.join(tmp.dir, 'binary-entry.zip');
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300000, 7)]);
    await writeZip(file, { 'serverstatus.log': png, 'PacsUser.log': dgateLog(10, 'u') });
    const { events, problems, result } = await ingest([file]);
    expect(events).toHaveLength(10);
    expect(problems).toEqual([expect.objectContaining({ source: `${displayName(file)}!serverstatus.log`, offset: 0 })]);
    expect(result.sources.map((s) => s.readable)).toEqual([false, true]);
    await new Promise((r) => setTimeout(r, 50)); // errors yauzl emits from setImmediate would surface here
    const open = openHandles(file);
    if (open !== null) expect(open).toBe(0);
  });

  it('random bytes named .zip are reported once and nothing else happens', async () => {
    const file = path.join(tmp.dir, 'random.zip');
    const b = Buffer.alloc(5000);
    for (let i = 0; i < b.length; i++) b[i] = (i * 7919 + 13) % 251;
    writeFileSync(file, b);
    const { events, problems, result } = await ingest([file]);
    expect(events).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ source: displayName(file), offset: 0 });
    expect(result.sources).toEqual([expect.objectContaining({ source: displayName(file), readable: false })]);
  });
});

describe('gzip', () => {
  it('a .gz cut midway yields the lines before the cut and reports the decompressed offset reached', async () => {
    const text = dgateLog(20000, 'g');
    const gz = gzip(text);
    const file = path.join(tmp.dir, 'cut.log.gz');
    writeFileSync(file, gz.subarray(0, Math.floor(gz.length / 2)));
    const { events, problems, result } = await ingest([file]);
    expect(events.length).toBeGreaterThan(1000);
    const src = result.sources[0]!;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ source: displayName(file), offset: src.bytes, line: src.lines });
    expect(problems[0]!.message).toMatch(/unexpected end of file/);
    // Every line before the cut is the genuine one.
    const full = text.split('\n');
    events.slice(0, -1).forEach((e, i) => expect(`Fri Nov 27 19:35:${String(i % 60).padStart(2, '0')} 2026 ${e.text}`).toBe(full[i]));
  });

  it('a file that is not gzip at all is reported at offset 0 and is not readable', async () => {
    const file = path.join(tmp.dir, 'not.gz');
    writeFileSync(file, 'plain text, not gzip\n');
    const { problems, result } = await ingest([file]);
    expect(problems).toEqual([expect.objectContaining({ source: displayName(file), offset: 0 })]);
    expect(result.sources[0]!.readable).toBe(false);
  });
});

describe('encoding', () => {
  const bytes = Buffer.concat([Buffer.from('Fri Nov 27 19:35:09 2026 Written file: /d/M'), Buffer.from([0xfc]), Buffer.from('ller\nFri Nov 27 19:35:10 2026 ok \uFFFD\n', 'utf8')]);

  it('latin1 keeps every byte', async () => {
    const file = path.join(tmp.dir, 'latin1.log');
    writeFileSync(file, bytes);
    const { events, problems } = await ingest([file]);
    expect(events[0]!.text).toBe('Written file: /d/Müller');
    expect(problems).toEqual([]);
  });

  it('utf8 reports the first invalid byte with line and offset; a genuine U+FFFD is not a problem', async () => {
    const file = path.join(tmp.dir, 'bad-utf8.log');
    writeFileSync(file, bytes);
    const { events, problems } = await ingest([file], 'utf8');
    expect(events[0]!.text).toBe('Written file: /d/M\uFFFDller');
    expect(events[1]!.text).toBe('ok \uFFFD');
    expect(problems).toEqual([expect.objectContaining({ source: displayName(file), line: 1, offset: bytes.indexOf(0xfc) })]);

    const good = path.join(tmp.dir, 'good-utf8.log');
    writeFileSync(good, Buffer.from('Fri Nov 27 19:35:10 2026 ok \uFFFD Müller\n', 'utf8'));
    expect((await ingest([good], 'utf8')).problems).toEqual([]);
  });
});
