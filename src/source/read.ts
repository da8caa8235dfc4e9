/**
 * Opens sources as streams of byte chunks. Files are read with a reused buffer (no stream
 * overhead); .gz through zlib; zip entries through yauzl; `-` from stdin. Errors are reported
 * with the source and offset and never stop the other sources.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { ProblemSink } from '../parse/event.js';
import type { SourceSpec, ZipSpec } from './types.js';

export const READ_CHUNK = 1 << 20;

export interface ChunkReader {
  chunks: AsyncIterable<Buffer>;
}

/** Byte chunks of a plain file, read with one reused buffer (consumers must copy what they keep). */
export async function* fileChunks(p: string, start = 0): AsyncGenerator<Buffer> {
  const fh = await fsp.open(p, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    let pos = start;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

async function* streamChunks(s: Readable): AsyncGenerator<Buffer> {
  for await (const c of s) yield typeof c === 'string' ? Buffer.from(c, 'latin1') : (c as Buffer);
}

export function gzipChunks(p: string): AsyncGenerator<Buffer> {
  const src = createReadStream(p);
  const gunzip = createGunzip();
  src.on('error', (e) => gunzip.destroy(e));
  return streamChunks(src.pipe(gunzip));
}

export function stdinChunks(): AsyncGenerator<Buffer> {
  return streamChunks(process.stdin);
}

function openZip(p: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(p, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true }, (err, zf) => {
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
    zf.on('error', reject);
    zf.readEntry();
  });
}

function entryStream(zf: yauzl.ZipFile, e: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zf.openReadStream(e, (err, s) => {
      if (err || !s) reject(err ?? new Error('cannot read entry'));
      else resolve(s);
    });
  });
}

/** Entry order inside a Conquest zip: serverstatus.log, then PacsTrouble.log, then the rest by name. */
function entryRank(name: string): number {
  const base = name.split('/').pop()!.toLowerCase();
  return base === 'serverstatus.log' ? 0 : base === 'pacstrouble.log' ? 1 : 2;
}

export interface OpenedZip {
  /** The log entries as sources, in reading order. */
  logs: { spec: SourceSpec; entry: yauzl.Entry }[];
  /** The text of a dicom.ini entry, when the zip holds one. */
  ini: string | null;
  chunks(entry: yauzl.Entry): AsyncGenerator<Buffer>;
  close(): void;
}

export async function openZipSource(z: ZipSpec, onProblem: ProblemSink): Promise<OpenedZip | null> {
  let zf: yauzl.ZipFile;
  let entries: yauzl.Entry[];
  try {
    zf = await openZip(z.path);
    entries = await listEntries(zf);
  } catch (err) {
    onProblem({ source: z.name, message: `corrupt or truncated zip, skipped (${(err as Error).message})` });
    return null;
  }
  const logs = entries
    .filter((e) => !e.fileName.endsWith('/') && /\.log$/i.test(e.fileName))
    .sort((a, b) => entryRank(a.fileName) - entryRank(b.fileName) || (a.fileName < b.fileName ? -1 : 1))
    .map((entry) => ({ spec: { type: 'zip-entry' as const, name: `${z.name}!${entry.fileName}`, path: z.path, entry: entry.fileName }, entry }));
  let ini: string | null = null;
  const iniEntry = entries.find((e) => e.fileName.split('/').pop()!.toLowerCase() === 'dicom.ini');
  if (iniEntry) {
    try {
      const parts: Buffer[] = [];
      for await (const c of streamChunks(await entryStream(zf, iniEntry))) parts.push(c);
      ini = Buffer.concat(parts).toString('latin1');
    } catch (err) {
      onProblem({ source: `${z.name}!${iniEntry.fileName}`, message: `cannot read (${(err as Error).message})` });
    }
  }
  return {
    logs,
    ini,
    async *chunks(entry: yauzl.Entry) {
      yield* streamChunks(await entryStream(zf, entry));
    },
    close() {
      zf.close();
    },
  };
}
