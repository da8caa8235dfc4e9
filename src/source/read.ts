/**
 * Opens sources as streams of byte chunks. Files are read with a reused buffer (no stream
 * overhead); .gz through zlib; zip entries through yauzl; `-` from stdin. Errors are reported
 * with the source and offset and never stop the other sources.
 */
import { createReadStream, promises as fsp, readSync } from 'node:fs';
import { createGunzip, createInflateRaw, crc32 } from 'node:zlib';
import type { Readable } from 'node:stream';
import type yauzl from 'yauzl';
import type { ProblemSink } from '../parse/event.js';
import type { SourceSpec, ZipSpec } from './types.js';

export const READ_CHUNK = 1 << 20;
/** Read size for regular files: well within a core's L2 cache (see fileChunks). */
export const FILE_CHUNK = 64 << 10;
/** Regular files are read synchronously: the event loop gets a turn after every this many bytes. */
export const YIELD_EVERY_BYTES = 8 << 20;
const YIELD_EVERY_CHUNKS = YIELD_EVERY_BYTES / FILE_CHUNK;

export interface ChunkReader {
  chunks: AsyncIterable<Buffer>;
}

/**
 * How long one FILE_CHUNK read of a regular file may take before the rest of the file is read
 * asynchronously instead (a network share: SMB, NFS). From the page cache it takes some microseconds.
 * Tests set it to -1 to take the asynchronous path from the second read on.
 */
export const readTiming = { slowReadMs: 5 };

/** Byte chunks of a plain file, read with one reused buffer (consumers must copy what they keep). */
export async function* fileChunks(p: string, start = 0): AsyncGenerator<Buffer> {
  const fh = await fsp.open(p, 'r');
  let inFlight: Promise<unknown> | null = null;
  try {
    // A pipe (`<(zcat x.gz)`, a FIFO) cannot be read at a position, and may have to wait for its writer.
    const regular = (await fh.stat()).isFile();
    let pos = start;
    if (regular) {
      // A regular file is read synchronously into one buffer small enough to stay in the CPU cache:
      // the kernel's copy and the line scan that follows then both hit the cache, and no read waits
      // on the thread pool. Copying 400 MB while stats ran took 70–100 ms in 64 KB reads, 75–280 ms
      // in 128 KB reads and about 250 ms in 256 KB or 1 MB reads here. A read that is slow (a
      // network share) would block everything and overlap with nothing: the rest is then read below.
      const buf = Buffer.allocUnsafe(FILE_CHUNK);
      for (let i = 1; ; i++) {
        // Let other work in now and then: the index's writer thread and progress, stream events.
        if (i % YIELD_EVERY_CHUNKS === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        const t0 = performance.now();
        // Up to the next multiple of FILE_CHUNK in the file: chunks end at the same offsets however
        // the file is read (see below).
        const n = readSync(fh.fd, buf, 0, FILE_CHUNK - (pos % FILE_CHUNK), pos);
        if (n === 0) return;
        pos += n;
        const slow = performance.now() - t0 > readTiming.slowReadMs;
        yield n === buf.length ? buf : buf.subarray(0, n);
        if (slow) break;
      }
    }
    // Asynchronously, with two buffers: the next read is under way while the consumer works on the
    // current chunk (it must be done with a chunk when it asks for the next one).
    const bufs = [Buffer.allocUnsafe(READ_CHUNK), Buffer.allocUnsafe(READ_CHUNK)];
    let which = 0;
    const readInto = (b: Buffer): Promise<{ bytesRead: number; at: number }> => {
      const at = pos;
      const pr = fh.read(b, 0, b.length, regular ? pos : null).then((r) => {
        pos += r.bytesRead;
        return { bytesRead: r.bytesRead, at };
      });
      inFlight = pr.catch(() => undefined);
      return pr;
    };
    let next = readInto(bufs[0]!);
    for (;;) {
      const { bytesRead, at } = await next;
      inFlight = null;
      if (bytesRead === 0) break;
      const cur = bufs[which]!;
      which ^= 1;
      next = readInto(bufs[which]!);
      if (!regular) {
        yield bytesRead === cur.length ? cur : cur.subarray(0, bytesRead);
        continue;
      }
      // A regular file's chunks end where the synchronous reads' would (every FILE_CHUNK bytes of the
      // file), so what is decided per chunk (the byte lanes' gate) does not depend on how fast it was read.
      for (let off = 0; off < bytesRead; ) {
        const n = Math.min(bytesRead - off, FILE_CHUNK - ((at + off) % FILE_CHUNK));
        yield cur.subarray(off, off + n);
        off += n;
      }
    }
  } finally {
    if (inFlight) await inFlight;
    await fh.close();
  }
}

async function* streamChunks(s: Readable): AsyncGenerator<Buffer> {
  for await (const c of s) yield typeof c === 'string' ? Buffer.from(c, 'latin1') : (c as Buffer);
}

export async function* gzipChunks(p: string): AsyncGenerator<Buffer> {
  const src = createReadStream(p);
  const gunzip = createGunzip();
  src.on('error', (e) => gunzip.destroy(e));
  try {
    yield* streamChunks(src.pipe(gunzip));
  } finally {
    // A reader that stops early (binary content, a consumer that threw) destroys only the gunzip
    // stream: the file under it would stay open (on Windows, locked) until the process ends.
    src.destroy();
  }
}

export function stdinChunks(): AsyncGenerator<Buffer> {
  return streamChunks(process.stdin);
}

/** yauzl, loaded with the first zip (most runs read none). */
let zipLib: typeof yauzl | null = null;

async function openZip(p: string): Promise<yauzl.ZipFile> {
  const lib = (zipLib ??= (await import('yauzl')).default);
  return new Promise((resolve, reject) => {
    lib.open(p, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true }, (err, zf) => {
      if (err || !zf) reject(err ?? new Error('cannot open zip'));
      else resolve(zf);
    });
  });
}

function listEntries(zf: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zf.on('entry', (e: yauzl.Entry) => {
      entries.push(e);
      zf.readEntry();
    });
    zf.on('end', () => resolve(entries));
    // Stays attached after the listing: a later error of the zip file must never be unhandled.
    zf.on('error', reject);
    zf.readEntry();
  });
}

function entryStream(zf: yauzl.ZipFile, e: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zf.openReadStream(e, (err, s) => {
      if (err || !s) reject(err ?? new Error('cannot read entry'));
      else {
        // yauzl emits stream errors from setImmediate; a listener from the start means an error
        // between here and the consumer's first read, or after it stopped, cannot crash the process.
        s.on('error', () => {});
        resolve(s);
      }
    });
  });
}

/** Yields a stream's chunks and checks the CRC-32 the zip recorded for the entry (yauzl does not). */
async function* checkedChunks(s: Readable, expectedCrc: number, sizeKnown: boolean): AsyncGenerator<Buffer> {
  let crc = 0;
  try {
    for await (const c of s) {
      const b = typeof c === 'string' ? Buffer.from(c, 'latin1') : (c as Buffer);
      crc = crc32(b, crc);
      yield b;
    }
  } finally {
    s.destroy();
  }
  if (sizeKnown && crc >>> 0 !== expectedCrc >>> 0) throw new Error(`CRC-32 mismatch (stored ${hex(expectedCrc)}, data ${hex(crc)}): the entry is corrupt`);
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** Entry order inside a Conquest zip: serverstatus.log, then PacsTrouble.log, then the rest by name. */
function entryRank(name: string): number {
  const base = name.split('/').pop()!.toLowerCase();
  return base === 'serverstatus.log' ? 0 : base === 'pacstrouble.log' ? 1 : 2;
}

function byEntryOrder(a: string, b: string): number {
  return entryRank(a) - entryRank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function isLogEntry(name: string): boolean {
  return !name.endsWith('/') && /\.log$/i.test(name);
}

function isIniEntry(name: string): boolean {
  return name.split('/').pop()!.toLowerCase() === 'dicom.ini';
}

export interface ZipLog {
  spec: SourceSpec;
  /** The entry's size uncompressed, or an estimate (8× its compressed bytes) where the zip does not say. */
  size: number;
  chunks(): AsyncGenerator<Buffer>;
}

export interface OpenedZip {
  /** The log entries as sources, in reading order. */
  logs: ZipLog[];
  /** The dicom.ini entry, when the zip holds one. */
  ini: { name: string; text: string } | null;
  close(): void;
}

async function readAll(chunks: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString('latin1');
}

/**
 * Opens a zip and lists its `*.log` entries and its dicom.ini. A zip whose central directory cannot
 * be read (truncated by a copy, overwritten at the end) is salvaged from its local headers, so the
 * entries that are still whole are read and a cut one yields what precedes the cut.
 */
export async function openZipSource(z: ZipSpec, onProblem: ProblemSink): Promise<OpenedZip | null> {
  let zf: yauzl.ZipFile | null = null;
  let entries: yauzl.Entry[];
  try {
    zf = await openZip(z.path);
    entries = await listEntries(zf);
  } catch (err) {
    zf?.close();
    return salvageZip(z, (err as Error).message, onProblem);
  }
  const opened = zf;
  const logs = entries
    .filter((e) => isLogEntry(e.fileName))
    .sort((a, b) => byEntryOrder(a.fileName, b.fileName))
    .map((entry) => ({
      spec: { type: 'zip-entry' as const, name: `${z.name}!${entry.fileName}`, path: z.path, entry: entry.fileName },
      size: entry.uncompressedSize,
      async *chunks() {
        yield* checkedChunks(await entryStream(opened, entry), entry.crc32, true);
      },
    }));
  let ini: OpenedZip['ini'] = null;
  const iniEntry = entries.find((e) => isIniEntry(e.fileName));
  if (iniEntry) {
    const name = `${z.name}!${iniEntry.fileName}`;
    try {
      ini = { name, text: await readAll(checkedChunks(await entryStream(opened, iniEntry), iniEntry.crc32, true)) };
    } catch (err) {
      onProblem({ source: name, message: `cannot read dicom.ini (${(err as Error).message})` });
    }
  }
  return { logs, ini, close: () => opened.close() };
}

/** A local file header found by scanning (PKZIP APPNOTE 4.3.7). */
interface LocalEntry {
  name: string;
  method: number;
  crc: number;
  /** Start and end (exclusive) of the compressed data; the end may lie past the end of the file. */
  dataStart: number;
  dataEnd: number;
  sizeKnown: boolean;
}

const LOCAL_SIG = 0x04034b50;
const SCAN_CHUNK = 1 << 16;

/** Finds the next `PK` signature of the given kinds at or after `from`, or -1. */
async function findSignature(fh: fsp.FileHandle, from: number, size: number, sigs: number[]): Promise<number> {
  const buf = Buffer.allocUnsafe(SCAN_CHUNK + 3);
  for (let pos = from; pos < size; pos += SCAN_CHUNK) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    for (let i = buf.indexOf('PK', 0, 'latin1'); i !== -1 && i + 4 <= bytesRead; i = buf.indexOf('PK', i + 1, 'latin1')) {
      if (sigs.includes(buf.readUInt32LE(i))) return pos + i;
    }
  }
  return -1;
}

async function scanLocalHeaders(fh: fsp.FileHandle, size: number): Promise<LocalEntry[]> {
  const out: LocalEntry[] = [];
  const head = Buffer.alloc(30);
  let pos = 0;
  while (pos + 30 <= size) {
    await fh.read(head, 0, 30, pos);
    if (head.readUInt32LE(0) !== LOCAL_SIG) break;
    const flags = head.readUInt16LE(6);
    const method = head.readUInt16LE(8);
    const crc = head.readUInt32LE(14);
    const csize = head.readUInt32LE(18);
    const nameLen = head.readUInt16LE(26);
    const extraLen = head.readUInt16LE(28);
    const nameBuf = Buffer.alloc(nameLen);
    await fh.read(nameBuf, 0, nameLen, pos + 30);
    const name = nameBuf.toString(flags & 0x800 ? 'utf8' : 'latin1').replace(/\\/g, '/');
    const dataStart = pos + 30 + nameLen + extraLen;
    const sizeKnown = (flags & 0x8) === 0 && csize !== 0xffffffff;
    let dataEnd: number;
    if (sizeKnown) dataEnd = dataStart + csize;
    else {
      // Sizes follow the data (a data descriptor) or are in a zip64 field: the data runs to the next record.
      const next = await findSignature(fh, dataStart, size, [0x08074b50, LOCAL_SIG, 0x02014b50, 0x06054b50]);
      dataEnd = next === -1 ? size : next;
    }
    out.push({ name, method, crc, dataStart, dataEnd, sizeKnown });
    if (dataEnd >= size) break;
    let nextPos = dataEnd;
    if (!sizeKnown) {
      const sig = Buffer.alloc(4);
      await fh.read(sig, 0, 4, dataEnd);
      if (sig.readUInt32LE(0) === 0x08074b50) nextPos = dataEnd + 16;
    }
    pos = nextPos;
  }
  return out;
}

/** Raw bytes of a range of a file, inflated when the entry is deflated; fails at a cut. */
async function* localEntryChunks(p: string, e: LocalEntry, fileSize: number): AsyncGenerator<Buffer> {
  const end = Math.min(e.dataEnd, fileSize);
  if (e.method !== 0 && e.method !== 8) throw new Error(`unsupported compression method ${e.method}`);
  if (end <= e.dataStart) {
    if (e.dataEnd > fileSize) throw new Error('the zip ends before this entry\'s data');
    return;
  }
  const raw = createReadStream(p, { start: e.dataStart, end: end - 1 });
  let s: Readable = raw;
  if (e.method === 8) {
    const inflate = createInflateRaw();
    raw.on('error', (err) => inflate.destroy(err));
    s = raw.pipe(inflate);
  }
  try {
    yield* checkedChunks(s, e.crc, e.sizeKnown && e.dataEnd <= fileSize);
  } finally {
    raw.destroy(); // as in gzipChunks: closes the file when the reader stops early
  }
  if (e.method === 0 && e.dataEnd > fileSize) throw new Error('the zip ends inside this entry');
}

async function salvageZip(z: ZipSpec, why: string, onProblem: ProblemSink): Promise<OpenedZip | null> {
  let fh: fsp.FileHandle | null = null;
  let found: LocalEntry[] = [];
  let size = 0;
  try {
    fh = await fsp.open(z.path, 'r');
    size = (await fh.stat()).size;
    found = await scanLocalHeaders(fh, size);
  } catch (err) {
    onProblem({ source: z.name, offset: 0, message: `cannot read zip (${(err as Error).message}), skipped` });
    return null;
  } finally {
    await fh?.close();
  }
  if (found.length === 0) {
    onProblem({ source: z.name, offset: 0, message: `not a readable zip (${why}; no zip entry at offset 0), skipped` });
    return null;
  }
  const last = found[found.length - 1]!;
  const cut = last.dataEnd > size;
  onProblem({
    source: z.name,
    offset: cut ? size : last.dataEnd,
    message: `corrupt or truncated zip (${why}); read ${found.length} entr${found.length === 1 ? 'y' : 'ies'} from their local headers${cut ? `, the zip ends inside ${last.name}` : ''}`,
  });
  const logs = found
    .filter((e) => isLogEntry(e.name))
    .sort((a, b) => byEntryOrder(a.name, b.name))
    .map((e) => ({
      spec: { type: 'zip-entry' as const, name: `${z.name}!${e.name}`, path: z.path, entry: e.name },
      size: (Math.min(e.dataEnd, size) - e.dataStart) * (e.method === 0 ? 1 : 8),
      chunks: () => localEntryChunks(z.path, e, size),
    }));
  let ini: OpenedZip['ini'] = null;
  const iniEntry = found.find((e) => isIniEntry(e.name));
  if (iniEntry) {
    const name = `${z.name}!${iniEntry.name}`;
    const parts: Buffer[] = [];
    try {
      for await (const c of localEntryChunks(z.path, iniEntry, size)) parts.push(Buffer.from(c));
    } catch (err) {
      // The ini cut by the end of the zip is named in the message above; what precedes the cut is still used.
      if (iniEntry !== last || !cut) onProblem({ source: name, message: `cannot read dicom.ini (${(err as Error).message})` });
    }
    if (parts.length > 0 || iniEntry !== last || !cut) ini = { name, text: Buffer.concat(parts).toString('latin1') };
  }
  return { logs, ini, close: () => {} };
}

/** Why a read failed, in words for an input problem. */
export function readErrorReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (err as Error).message;
}
