/** fileChunks: a regular file read in cache-sized synchronous chunks, a pipe read as it comes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FILE_CHUNK, fileChunks, gzipChunks, openZipSource, READ_CHUNK, readTiming, YIELD_EVERY_BYTES } from '../../src/source/read.js';
import { dgateLog, entryDataRange, gzip, tempDir, writeZip } from './fixtures.js';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('cqlog-read-');
});
afterAll(() => tmp.remove());

/** Every chunk copied (the reader reuses its buffer), with the largest chunk size seen. */
async function collect(file: string, start?: number): Promise<{ bytes: Buffer; largest: number; chunks: number; lengths: number[] }> {
  const parts: Buffer[] = [];
  let largest = 0;
  for await (const c of fileChunks(file, start)) {
    parts.push(Buffer.from(c));
    largest = Math.max(largest, c.length);
  }
  return { bytes: Buffer.concat(parts), largest, chunks: parts.length, lengths: parts.map((x) => x.length) };
}

/** Bytes that differ from chunk to chunk, so a reused or misplaced buffer shows. */
function pattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 10)) & 0xff;
  return b;
}

describe('fileChunks', () => {
  it('gives every byte of a regular file, in chunks of at most FILE_CHUNK, from any start', async () => {
    const file = path.join(tmp.dir, 'plain.bin');
    const data = pattern(Math.floor(3.5 * FILE_CHUNK));
    writeFileSync(file, data);
    const all = await collect(file);
    expect(all.bytes.equals(data)).toBe(true);
    expect(all.largest).toBe(FILE_CHUNK);
    expect(all.chunks).toBe(4);
    for (const start of [1, FILE_CHUNK, FILE_CHUNK + 17, data.length, data.length + 5]) {
      expect((await collect(file, start)).bytes.equals(data.subarray(start)), `start ${start}`).toBe(true);
    }
    writeFileSync(path.join(tmp.dir, 'empty.log'), '');
    expect((await collect(path.join(tmp.dir, 'empty.log'))).chunks).toBe(0);
  });

  it('reads the rest of a file asynchronously, at the right place, once a read was slow (a network share)', async () => {
    const file = path.join(tmp.dir, 'share.bin');
    const data = pattern(2 * READ_CHUNK + 3 * FILE_CHUNK + 11);
    writeFileSync(file, data);
    const saved = readTiming.slowReadMs;
    const slowLengths = new Map<number, number[]>();
    readTiming.slowReadMs = -1; // every read counts as slow: the first is synchronous, the rest not
    try {
      for (const start of [0, 1, FILE_CHUNK + 17, READ_CHUNK + 5, data.length]) {
        const slow = await collect(file, start);
        expect(slow.bytes.equals(data.subarray(start)), `start ${start}`).toBe(true);
        slowLengths.set(start, slow.lengths);
      }
    } finally {
      readTiming.slowReadMs = saved;
    }
    // The chunks end at the same offsets as when every read is fast (what the byte lanes decide per
    // chunk must not depend on read timing): at each multiple of FILE_CHUNK in the file.
    for (const [start, lengths] of slowLengths) {
      expect(lengths, `start ${start}`).toEqual((await collect(file, start)).lengths);
      let at = start;
      for (const n of lengths.slice(0, -1)) expect((at += n) % FILE_CHUNK, `start ${start}`).toBe(0);
    }
  });

  it('lets other callbacks run while a long file is read (setImmediate turns)', async () => {
    const file = path.join(tmp.dir, 'long.bin');
    writeFileSync(file, pattern(3 * YIELD_EVERY_BYTES + FILE_CHUNK));
    let ticks = 0;
    let running = true;
    const tick = (): void => {
      ticks++;
      if (running) setImmediate(tick);
    };
    let first = -1;
    let last = -1;
    for await (const c of fileChunks(file)) {
      if (first === -1) {
        first = ticks;
        setImmediate(tick);
      }
      last = ticks;
      void c;
    }
    running = false;
    // Between the first chunk and the last, the loop had turns.
    expect(last - first).toBeGreaterThanOrEqual(2);
  });

  // Windows has no named pipes in the file system.
  it.skipIf(process.platform === 'win32')('reads a named pipe as its writer fills it', async () => {
    const fifo = path.join(tmp.dir, 'pipe.log');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const data = pattern(3 * FILE_CHUNK + 5);
    writeFileSync(path.join(tmp.dir, 'source.bin'), data);
    const writer = spawn('sh', ['-c', `cat "${path.join(tmp.dir, 'source.bin')}" > "${fifo}"`]);
    const exited = new Promise((resolve) => writer.on('exit', resolve));
    const got = await collect(fifo);
    await exited;
    expect(got.bytes.equals(data)).toBe(true);
  });
});

/** The files this process holds open (Linux: /proc/self/fd). */
function openFiles(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      out.push(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

describe('a compressed source whose reader stops early', () => {
  // Counted through /proc/self/fd, which only Linux has (CI runs on Linux).
  it.skipIf(process.platform !== 'linux')('closes its file: a .gz, and an entry of a zip salvaged from its local headers', async () => {
    const text = dgateLog(20000, 'g');
    const gz = path.join(tmp.dir, 'early.log.gz');
    writeFileSync(gz, gzip(text));
    const whole = path.join(tmp.dir, 'early-whole.zip');
    await writeZip(whole, { 'serverstatus.log': text, 'PacsUser.log': dgateLog(50, 'u') });
    const buf = readFileSync(whole);
    const { start, end } = entryDataRange(buf, 'serverstatus.log');
    const cut = path.join(tmp.dir, 'early-cut.zip');
    writeFileSync(cut, buf.subarray(0, Math.floor((start + end) / 2)));
    const zip = (await openZipSource({ type: 'zip', name: cut, path: cut }, () => {}))!;
    for (const [file, chunks] of [
      [gz, gzipChunks(gz)],
      [cut, zip.logs[0]!.chunks()],
    ] as const) {
      const it = chunks[Symbol.asyncIterator]();
      expect((await it.next()).done).toBe(false);
      expect(openFiles()).toContain(file);
      await it.return(undefined);
      // The stream closes its descriptor asynchronously.
      for (let i = 0; i < 50 && openFiles().includes(file); i++) await new Promise((r) => setTimeout(r, 10));
      expect(openFiles(), file).not.toContain(file);
    }
    zip.close();
  });
});
