import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, cpSync, chmodSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { indexPaths } from '../../src/store/ingest.js';
import { openStore, SCHEMA_VERSION, StoreError, type DB } from '../../src/store/schema.js';
import { search } from '../../src/store/search.js';
import { readEvents } from '../../src/pipeline/readEvents.js';
import type { LogEvent } from '../../src/parse/event.js';
import { REAL } from '../helpers.js';
import { duplicates, eventRows, lines, readZipEntry, rowCount, stored, tmp, writeZip } from './helpers.js';

const open: DB[] = [];
function db(file: string): DB {
  const d = openStore(file);
  open.push(d);
  return d;
}
afterEach(() => {
  for (const d of open.splice(0)) if (d.open) d.close();
});

/** The events view holds each stored event once, no more (resumed and rotated runs delete what they read again). */
function expectEventsView(d: DB): void {
  const { view, expected } = eventRows(d);
  expect(view).toEqual(expected);
}

async function allEvents(paths: string[]): Promise<LogEvent[]> {
  const out: LogEvent[] = [];
  await readEvents(paths, { encoding: 'latin1' }, (e) => out.push(e), () => {});
  return out;
}

function sourceNames(d: DB): string[] {
  return [...new Set(stored(d).map((e) => e.source))].sort();
}

describe('incremental indexing', () => {
  it('indexing twice adds nothing the second time', async () => {
    const dir = tmp();
    cpSync(path.join(REAL, 's2-virtual-move-ok', 'router'), dir, { recursive: true });
    const d = db(path.join(dir, 'i.sqlite'));
    const first = await indexPaths(d, [dir]);
    const n = rowCount(d);
    expect(n).toBe((await allEvents([dir])).length);
    expect(first.newEvents).toBe(n);
    const second = await indexPaths(d, [dir]);
    expect(second.newEvents).toBe(0);
    expect(second.sources.every((s) => s.status === 'unchanged')).toBe(true);
    expect(rowCount(d)).toBe(n);
    expect(duplicates(d)).toEqual([]);
    expectEventsView(d);
  });

  it('a live log that grew adds only the new lines', async () => {
    const dir = tmp();
    const live = path.join(dir, 'serverstatus.log');
    writeFileSync(live, lines(50), 'latin1');
    const d = db(path.join(dir, 'i.sqlite'));
    await indexPaths(d, [live]);
    expect(rowCount(d)).toBe(50);
    appendFileSync(live, lines(30, 50), 'latin1');
    const s = await indexPaths(d, [live]);
    expect(s.sources[0]!.status).toBe('appended');
    expect(rowCount(d)).toBe(80);
    expect(duplicates(d)).toEqual([]);
    expectEventsView(d);
    // Line numbers and offsets are those of the file.
    const evs = await allEvents([live]);
    expect(stored(d).map((e) => ({ line: e.line, off: e.offset }))).toEqual(evs.map((e) => ({ line: e.line, off: e.offset })));
  });

  it('a continuation line appended to the last event is joined to it', async () => {
    const dir = tmp();
    const live = path.join(dir, 'serverstatus.log');
    writeFileSync(live, '20240311 10:00:00 first\r\n20240311 10:00:01 ***Error connecting: x y/z\r\n');
    const d = db(path.join(dir, 'i.sqlite'));
    await indexPaths(d, [live]);
    appendFileSync(live, 'Retrying\r\n20240311 10:00:02 third\r\n');
    await indexPaths(d, [live]);
    const texts = stored(d).map((e) => e.text);
    expect(texts).toEqual((await allEvents([live])).map((e) => e.text));
    expect(texts).toContain('***Error connecting: x y/z\nRetrying');
  });

  it('a live log that shrank or changed its head is a new generation read from 0', async () => {
    const dir = tmp();
    const live = path.join(dir, 'serverstatus.log');
    writeFileSync(live, lines(40), 'latin1');
    const d = db(path.join(dir, 'i.sqlite'));
    await indexPaths(d, [live]);
    writeFileSync(live, lines(10, 500), 'latin1');
    const s = await indexPaths(d, [live]);
    expect(s.sources[0]!.status).toBe('rotated');
    expect(s.newEvents).toBe(10);
    expect(rowCount(d)).toBe(50);
  });
});

describe('rotation into logs_YYYYMMDD.zip', () => {
  it('synthetic: the zip adds only the lines not indexed from the live file', async () => {
    const dir = tmp();
    const live = path.join(dir, 'serverstatus.log');
    const oldText = lines(100);
    writeFileSync(live, oldText, 'latin1');
    const d = db(path.join(dir, 'i.sqlite'));
    await indexPaths(d, [dir]);
    expect(rowCount(d)).toBe(100);
    // More lines arrive, then the server zips the log and starts a new one.
    const tail = lines(20, 100);
    appendFileSync(live, tail, 'latin1');
    mkdirSync(path.join(dir, 'logs'));
    await writeZip(path.join(dir, 'logs', 'logs_20240311.zip'), { 'serverstatus.log': oldText + tail, 'dicom.ini': '[sscscp]\r\nMyACRNema = ROUTER\r\n' });
    writeFileSync(live, '20240312 05:00:00 Dgate zipped todays log files as: D:\\conquest\\logs\\logs_20240311.zip\r\n' + lines(49, 1000), 'latin1');
    const s = await indexPaths(d, [dir]);
    expect(s.sources.map((x) => x.status)).toEqual(['archive-continued', 'rotated']);
    expect(rowCount(d)).toBe(170);
    expect(duplicates(d)).toEqual([]);
    expectEventsView(d);
    // Every row is labelled as reading the folder from scratch would label it.
    const fresh = await allEvents([dir]);
    const key = (x: { source: string; line: number; offset: number }): string => `${x.source}:${x.line}:${x.offset}`;
    expect(new Set(stored(d).map(key))).toEqual(new Set(fresh.map(key)));
    // Read back, every event is the one a fresh read gives: text, time, kind and fields.
    expect(stored(d).sort((a, b) => key(a).localeCompare(key(b)))).toEqual([...fresh].sort((a, b) => key(a).localeCompare(key(b))));
    // A third run skips the archive by its hash.
    const again = await indexPaths(d, [dir]);
    expect(again.skippedArchives).toHaveLength(1);
    expect(again.newEvents).toBe(0);
  });

  it('real s6-zip-rotation: indexed before and after the rotation, every line once', async () => {
    const real = path.join(REAL, 's6-zip-rotation', 'router');
    const zip = path.join(real, 'logs', 'logs_20261127.zip');
    const dir = tmp();
    // The state before the rotation: the zip's logs were the live logs.
    for (const f of ['serverstatus.log', 'PacsUser.log', 'PacsTrouble.log']) writeFileSync(path.join(dir, f), await readZipEntry(zip, f));
    cpSync(path.join(real, 'dicom.ini'), path.join(dir, 'dicom.ini'));
    const d = db(path.join(tmp(), 'i.sqlite'));
    const before = await indexPaths(d, [dir]);
    const oldCount = rowCount(d);
    expect(before.newEvents).toBe(oldCount);
    // The rotation: the zip appears, the live logs are new.
    for (const f of readdirSync(dir)) rmSync(path.join(dir, f));
    cpSync(real, dir, { recursive: true });
    for (const f of readdirSync(dir)) if (statSync(path.join(dir, f)).isFile()) chmodSync(path.join(dir, f), 0o644);
    const after = await indexPaths(d, [dir]);
    expect(after.sources.find((s) => s.source.endsWith('logs_20261127.zip!serverstatus.log'))!.status).toBe('archive-continued');
    const fresh = await allEvents([dir]);
    expect(rowCount(d)).toBe(fresh.length);
    expect(duplicates(d)).toEqual([]);
    expectEventsView(d);
    // Rows read from the live log before the rotation now carry the zip entry's name, as a fresh read would.
    expect(sourceNames(d)).toEqual([...new Set(fresh.map((e) => e.source))].sort());
    expect(stored(d).map((x) => `${x.source}:${x.line}:${x.offset}`).sort()).toEqual(fresh.map((x) => `${x.source}:${x.line}:${x.offset}`).sort());
    // The first line of the new live log is the zip message.
    const r = search(d, { text: 'zipped todays log files' });
    expect(r.items).toHaveLength(1);
    expect(r.items[0]!.event.source.endsWith('/serverstatus.log')).toBe(true);
  });
});

describe('interrupted runs', () => {
  it.each(['inline', 'worker'] as const)('resume without duplicates (live file, %s writer)', async (writer) => {
    const dir = tmp();
    const live = path.join(dir, 'serverstatus.log');
    writeFileSync(live, lines(95), 'latin1');
    const d = db(path.join(dir, 'i.sqlite'));
    let commits = 0;
    await expect(
      indexPaths(d, [live], {
        writer,
        batchSize: 10,
        blockLines: 5,
        afterCommit: () => {
          if (++commits === 3) throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    expect(rowCount(d)).toBe(30);
    await indexPaths(d, [live], { writer, batchSize: 10, blockLines: 5 });
    expect(rowCount(d)).toBe(95);
    expect(duplicates(d)).toEqual([]);
    expectEventsView(d);
  });

  it('resume without duplicates (archive)', async () => {
    const dir = tmp();
    await writeZip(path.join(dir, 'logs_20240311.zip'), { 'serverstatus.log': lines(77), 'PacsTrouble.log': lines(13, 200) });
    const d = db(path.join(dir, 'i.sqlite'));
    await expect(
      indexPaths(d, [path.join(dir, 'logs_20240311.zip')], {
        batchSize: 20,
        blockLines: 5,
        afterCommit: () => {
          throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    expect(rowCount(d)).toBe(20);
    const s = await indexPaths(d, [path.join(dir, 'logs_20240311.zip')], { batchSize: 20, blockLines: 5 });
    expect(s.sources.map((x) => x.status)).toEqual(['archive-continued', 'archive']);
    expect(rowCount(d)).toBe(90);
    expect(duplicates(d)).toEqual([]);
    expectEventsView(d);
  });
});

describe('the writer thread', () => {
  it('stores what the inline writer stores', async () => {
    const dir = tmp();
    cpSync(path.join(REAL, 's6-zip-rotation', 'router'), dir, { recursive: true });
    const inline = db(path.join(tmp(), 'a.sqlite'));
    const worker = db(path.join(tmp(), 'b.sqlite'));
    await indexPaths(inline, [dir], { writer: 'inline', blockLines: 7 });
    const s = await indexPaths(worker, [dir], { writer: 'worker', blockLines: 7 });
    expect(s.newEvents).toBeGreaterThan(0);
    expect(stored(worker)).toEqual(stored(inline));
    const blocks = (d: DB): unknown[] => d.prepare('SELECT src, line, off, end_line, events, tmin, tmax, ctx, data FROM blocks JOIN block_data USING (id) ORDER BY id').all();
    expect(blocks(worker)).toEqual(blocks(inline));
    const rows = (d: DB): unknown[] => d.prepare('SELECT j FROM block_events ORDER BY id').all();
    expect(rows(worker)).toEqual(rows(inline));
    expect(search(worker, { text: 'zipped todays log files' }).hits).toBe(search(inline, { text: 'zipped todays log files' }).hits);
  });
});

describe('bad input', () => {
  it('a corrupt zip is reported and skipped, the rest indexed', async () => {
    const dir = tmp();
    mkdirSync(path.join(dir, 'logs'));
    writeFileSync(path.join(dir, 'logs', 'logs_20240310.zip'), Buffer.from('this is not a zip file at all, just text that ends here'));
    writeFileSync(path.join(dir, 'serverstatus.log'), lines(5), 'latin1');
    const problems: string[] = [];
    const d = db(path.join(dir, 'i.sqlite'));
    const s = await indexPaths(d, [dir], { onProblem: (p) => problems.push(`${p.source}: ${p.message}`) });
    expect(problems.some((p) => p.includes('logs_20240310.zip') && /zip/.test(p))).toBe(true);
    expect(rowCount(d)).toBe(5);
    expect(s.readable).toBe(true);
  });

  it('a database with a newer schema is refused with a clear message', () => {
    const file = path.join(tmp(), 'i.sqlite');
    const d = openStore(file);
    d.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(SCHEMA_VERSION + 1));
    d.close();
    expect(() => openStore(file)).toThrow(StoreError);
    expect(() => openStore(file, { readonly: true })).toThrow(/newer cqlog/);
  });
});

describe('run reports and errors', () => {
  it('a grown live log reports only its new lines and events, though the last block is read again', async () => {
    const dir = tmp();
    const live = path.join(dir, 'serverstatus.log');
    writeFileSync(live, lines(600), 'latin1');
    const d = db(path.join(dir, 'i.sqlite'));
    await indexPaths(d, [live]);
    appendFileSync(live, lines(1, 600), 'latin1');
    const seen: number[] = [];
    const s = await indexPaths(d, [live], { onEvent: (e) => seen.push(e.line) });
    expect(s.sources[0]).toMatchObject({ status: 'appended', newLines: 1, newEvents: 1 });
    expect(seen).toEqual([601]);
    expect(rowCount(d)).toBe(601);
  });

  it('an error while parsing or analysing ends the run; it is not reported as a read error', async () => {
    const dir = tmp();
    const live = path.join(dir, 'serverstatus.log');
    writeFileSync(live, lines(50), 'latin1');
    const d = db(path.join(dir, 'i.sqlite'));
    const problems: string[] = [];
    let n = 0;
    await expect(
      indexPaths(d, [live], {
        onProblem: (p) => problems.push(p.message),
        onEvent: () => {
          if (++n === 20) throw new Error('boom in the engine');
        },
      }),
    ).rejects.toThrow('boom in the engine');
    expect(problems.filter((p) => p.includes('read stopped'))).toEqual([]);
  });

  it('a batch is also cut by bytes, so long events cannot pile up in memory', async () => {
    const dir = tmp();
    const live = path.join(dir, 'serverstatus.log');
    writeFileSync(live, lines(95), 'latin1');
    const d = db(path.join(dir, 'i.sqlite'));
    const commits: number[] = [];
    await indexPaths(d, [live], { blockLines: 5, batchBytes: 1000, afterCommit: (c) => commits.push(c.events) });
    // Each 5-line block is about 480 bytes: three blocks pass 1,000 bytes and make a batch.
    expect(commits.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...commits)).toBeLessThanOrEqual(15);
    expect(rowCount(d)).toBe(95);
  });
});
