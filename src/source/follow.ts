/**
 * Following a live Conquest log across its daily zip-and-delete (issue 4, item 3; reference §1.1, §1.7).
 *
 * dgate opens, appends and closes serverstatus.log for every line; at ZipTime it zips the logs into
 * `logs/logs_YYYYMMDD.zip` and deletes them, and the next line creates a new file. The follower:
 * - reads by open-read-close at each check, never holding the file open (a held handle can block
 *   Conquest's delete on Windows);
 * - identifies the file by a hash of its first bytes (up to HEAD_BYTES), plus dev+ino on POSIX and
 *   the birth time on Windows while the file is still empty; deletion, re-creation, truncation and a
 *   file replaced between two checks all show as a different identity or a size below the offset;
 * - when the file it was reading is gone, finds it in the new or changed zips of `logs/` (the
 *   zip's serverstatus.log whose first bytes hash to the identity), reads the bytes it had not read,
 *   then any later archived files it missed entirely, then the new live file from its start;
 * - reports what it can prove is in neither the live file nor a zip as a gap.
 * Line numbers and byte offsets continue across the live file and its zipped copy (same bytes).
 */
import { createHash } from 'node:crypto';
import { promises as fsp, type Stats } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { InputProblem, ProblemSink } from '../parse/event.js';
import { decodeLine, LineSplitter, MAX_LINE_BYTES } from './lines.js';
import { joinDisplay, zipOrder } from './resolve.js';
import type { FileIdentity, TailState } from './checkpoint.js';

/** Bytes hashed for a file's identity. Conquest's first line carries a timestamp (and after a rotation the zip's name). */
export const HEAD_BYTES = 256;
/** Bytes read per chunk, and at most per check before yielding (the loop comes back at once). */
const CHUNK = 1 << 20;
const MAX_PER_CHECK = 16 * CHUNK;
/** A zip that cannot be opened is retried while it changes, and skipped (reported) after this many checks without change. */
const ZIP_RETRIES = 5;

export interface GapNotice {
  notice: 'input-gap';
  /** The source the lost lines belonged to. */
  source: string;
  /** First line number and byte offset that could not be read. */
  fromLine: number;
  fromOffset: number;
  /** Bytes proven lost (the file was seen this long), or null when it is unknown whether any were written. */
  bytes: number | null;
  proven: boolean;
  message: string;
}

/** Where the follower hands its lines: the tail's event assembly. */
export interface FollowSink {
  /** One complete physical line (latin1, CR/LF removed) of `source`. */
  line(raw: string, offset: number, lineNo: number, source: string): void;
  /** The current file ended (rotated away, or replaced): flush what the assembler holds. */
  fileEnd(): void;
  gap(g: GapNotice): void;
  problem(p: InputProblem): void;
}

export interface FollowTarget {
  /** Absolute path of the live log. */
  abs: string;
  /** Its display name (events' `source`). */
  display: string;
  /** The server folder (zips are in `<dir>/logs`, or in the folder itself for GUI zips without logs/). */
  dir: string;
  /** Display name of the server folder as given (for zip sources). */
  dirDisplay: string;
}

export function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** POSIX ino is meaningful when non-zero; on Windows shares it can be 0 or unstable, so birth time is used there. */
function fileIds(st: Stats): Pick<FileIdentity, 'dev' | 'ino' | 'birthtimeMs'> {
  if (process.platform === 'win32') return { birthtimeMs: st.birthtimeMs || undefined };
  return { dev: st.dev || undefined, ino: st.ino || undefined };
}

function sameFileIds(a: FileIdentity, st: Stats): boolean {
  const b = fileIds(st);
  if (a.ino !== undefined && b.ino !== undefined && (a.ino !== b.ino || a.dev !== b.dev)) return false;
  if (a.birthtimeMs !== undefined && b.birthtimeMs !== undefined && Math.abs(a.birthtimeMs - b.birthtimeMs) > 1) return false;
  return true;
}

/** Splits the bytes of one file (or its zipped copy) into lines with exact offsets and numbers, tracking the unfinished last line. */
class Segment {
  private splitter: LineSplitter;
  private partial: Buffer;

  constructor(
    private readonly state: TailState,
    private source: string,
    private readonly sink: FollowSink,
    onProblem: ProblemSink,
  ) {
    const partial = Buffer.from(state.partial, 'base64');
    const baseOffset = state.offset - partial.length;
    const baseLine = state.line;
    this.partial = Buffer.alloc(0);
    this.splitter = new LineSplitter(
      source,
      (buf, start, end, offset, lineNo) => {
        const s = decodeLine(buf, start, end);
        this.state.line = baseLine + lineNo;
        this.sink.line(s, baseOffset + offset, baseLine + lineNo, this.source);
      },
      (p) => onProblem({ ...p, offset: p.offset !== undefined ? p.offset + baseOffset : undefined, line: p.line !== undefined ? p.line + baseLine : undefined }),
    );
    // The unfinished line of an earlier run: its bytes come first (they are not counted again in state.offset).
    if (partial.length > 0) {
      this.splitter.push(partial);
      this.partial = partial;
    }
  }

  /** The zipped copy continues the same bytes under another name. */
  rename(source: string): void {
    this.source = source;
  }

  push(chunk: Buffer): void {
    this.splitter.push(chunk);
    this.state.offset += chunk.length;
    this.state.counters.bytes += chunk.length;
    const nl = chunk.lastIndexOf(10);
    if (nl === -1) {
      // Keep at most what the splitter keeps of an over-long line (its tail is dropped either way).
      const room = MAX_LINE_BYTES + 2 - this.partial.length;
      if (room > 0) this.partial = Buffer.concat([this.partial, chunk.subarray(0, Math.min(room, chunk.length))]);
    } else {
      this.partial = Buffer.from(chunk.subarray(nl + 1));
    }
    this.state.partial = this.partial.toString('base64');
  }

  /** The file is finished: a last line without a newline is a line too. */
  end(): void {
    this.splitter.end();
    this.partial = Buffer.alloc(0);
    this.state.partial = '';
  }
}

interface ZipEntryInfo {
  zf: yauzl.ZipFile;
  entry: yauzl.Entry;
}

function openZip(p: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(p, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true }, (err, zf) => {
      if (err || !zf) reject(err ?? new Error('cannot open zip'));
      else resolve(zf);
    });
  });
}

/** The entry of a zip named like the live log (case-insensitive, any folder inside the zip). */
async function findEntry(zipPath: string, base: string): Promise<ZipEntryInfo | null> {
  const zf = await openZip(zipPath);
  const want = base.toLowerCase();
  return new Promise((resolve, reject) => {
    let found: yauzl.Entry | null = null;
    zf.on('entry', (e: yauzl.Entry) => {
      if (!found && !e.fileName.endsWith('/') && e.fileName.split('/').pop()!.toLowerCase() === want) found = e;
      zf.readEntry();
    });
    zf.on('end', () => {
      if (found) resolve({ zf, entry: found });
      else {
        zf.close();
        resolve(null);
      }
    });
    zf.on('error', (err) => {
      zf.close();
      reject(err);
    });
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

/**
 * Reads the first `n` bytes of a zip entry (fewer when it is shorter). The entry is read to its end:
 * destroying a yauzl inflate stream early lets its source write after the destroy (an unhandled error).
 */
async function entryHead(z: ZipEntryInfo, n: number): Promise<Buffer> {
  const s = await entryStream(z.zf, z.entry);
  const parts: Buffer[] = [];
  let have = 0;
  for await (const c of s) {
    if (have < n) {
      parts.push(c as Buffer);
      have += (c as Buffer).length;
    }
  }
  return Buffer.concat(parts).subarray(0, n);
}

export interface FollowerOptions {
  onProblem: ProblemSink;
}

export class Follower {
  private segment: Segment | null = null;
  /** Zips that failed to open, with the number of tries. */
  private zipFailures = new Map<string, { n: number; size: number; mtimeMs: number }>();
  /** Set when a check stopped early (more to read): the caller checks again at once. */
  more = false;

  constructor(
    readonly target: FollowTarget,
    private readonly state: TailState,
    private readonly sink: FollowSink,
    private readonly opts: FollowerOptions,
  ) {}

  private seg(): Segment {
    if (!this.segment) this.segment = new Segment(this.state, this.target.display, this.sink, this.opts.onProblem);
    return this.segment;
  }

  /** The zips that may hold rotated logs: `<dir>/logs/*.zip`, and `<dir>/*.zip` (GUI zips when logs/ is missing). */
  async listZips(): Promise<{ name: string; path: string; display: string; size: number; mtimeMs: number }[]> {
    const out: { name: string; path: string; display: string; size: number; mtimeMs: number }[] = [];
    for (const [dir, disp] of [
      [path.join(this.target.dir, 'logs'), ['logs']],
      [this.target.dir, []],
    ] as const) {
      let names: string[];
      try {
        names = await fsp.readdir(dir);
      } catch {
        continue;
      }
      for (const n of names) {
        if (!/\.zip$/i.test(n)) continue;
        const p = path.join(dir, n);
        try {
          const st = await fsp.stat(p);
          if (!st.isFile()) continue;
          const key = [...disp, n].join('/');
          out.push({ name: key, path: p, display: joinDisplay(this.target.dirDisplay, ...disp, n), size: st.size, mtimeMs: st.mtimeMs });
        } catch {
          /* vanished */
        }
      }
    }
    return out.sort((a, b) => zipOrder(path.basename(a.name), path.basename(b.name)) || (a.name < b.name ? -1 : 1));
  }

  /** First run: the zips already there are history, not rotations to recover from. */
  async noteExistingZips(): Promise<void> {
    for (const z of await this.listZips()) {
      let crc: number | undefined;
      let entrySize: number | undefined;
      try {
        const info = await findEntry(z.path, path.basename(this.target.abs));
        if (info) {
          crc = info.entry.crc32;
          entrySize = info.entry.uncompressedSize;
          info.zf.close();
        }
      } catch {
        /* unreadable: known by its stat only */
      }
      this.state.knownZips[z.name] = { size: z.size, mtimeMs: z.mtimeMs, crc, entrySize };
    }
  }

  /** Where the live file's last unfinished line starts (its size when it ends in a newline), or null when there is no file. */
  async lastLineStart(): Promise<number | null> {
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(this.target.abs, 'r');
    } catch {
      return null;
    }
    try {
      const size = (await fh.stat()).size;
      let end = size;
      const buf = Buffer.allocUnsafe(65536);
      while (end > 0) {
        const start = Math.max(0, end - buf.length);
        const { bytesRead } = await fh.read(buf, 0, end - start, start);
        const nl = buf.subarray(0, bytesRead).lastIndexOf(10);
        if (nl !== -1) return start + nl + 1;
        end = start;
      }
      return 0;
    } finally {
      await fh.close();
    }
  }

  /**
   * One check: identity and size of the live file, then its new bytes; a rotation or replacement is
   * recovered from the zips and the new file read from its start. `more` is set when a large backlog
   * was cut short (call again at once).
   */
  async checkOnce(): Promise<void> {
    this.more = false;
    for (let round = 0; round < 4; round++) {
      const r = await this.checkRound();
      if (r !== 'again') return;
    }
  }

  private async checkRound(): Promise<'done' | 'again'> {
    const st = this.state;
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(this.target.abs, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        this.opts.onProblem({ source: this.target.display, message: `cannot open (${code ?? String(err)}); retrying` });
        return 'done';
      }
      // Gone: rotated (zip-and-delete) or deleted. Recover what it still held from the zips
      // (or, while waiting for a file, read the files archived meanwhile).
      await this.recover(false);
      return 'done';
    }
    let replaced = false;
    try {
      const fst = await fh.stat();
      const size = fst.size;
      const headLen = Math.min(size, HEAD_BYTES);
      const head = Buffer.alloc(headLen);
      if (headLen > 0) await fh.read(head, 0, headLen, 0);
      const id = st.identity;
      if (id === null && st.offset === 0) {
        // A new file. Files archived since we started waiting were never seen: read them first.
        if (await this.recover(false)) {
          replaced = true; // something was read: look at the live file afresh
        } else {
          st.identity = { headLen, headHash: sha256(head), ...fileIds(fst) };
        }
      } else if (id === null || size < st.offset || id.headLen > size || sha256(head.subarray(0, id.headLen)) !== id.headHash || (id.headLen === 0 && !sameFileIds(id, fst))) {
        replaced = true;
      } else {
        // Same content: the file may have been copied over itself (new ino, same bytes); keep reading at the offset.
        if (id.headLen < headLen) {
          id.headLen = headLen;
          id.headHash = sha256(head);
        }
        Object.assign(id, fileIds(fst));
      }
      if (!replaced) {
        if (size > st.lastSize) st.lastSize = size;
        await this.readFrom(fh, size);
      }
    } finally {
      await fh.close();
    }
    if (replaced) {
      await this.recover(true);
      return 'again';
    }
    return 'done';
  }

  /** Reads from the state's offset to the end of the open file (at most MAX_PER_CHECK per check). */
  private async readFrom(fh: fsp.FileHandle, size: number): Promise<void> {
    const buf = Buffer.allocUnsafe(CHUNK);
    let total = 0;
    const seg = this.seg();
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, this.state.offset);
      if (bytesRead === 0) break;
      seg.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (this.state.offset > this.state.lastSize) this.state.lastSize = this.state.offset;
      if (total >= MAX_PER_CHECK) {
        this.more = this.state.offset < size;
        break;
      }
    }
  }

  /** Ends the current file's segment and starts waiting for a new file. */
  private finishFile(): void {
    if (this.segment) this.segment.end();
    else if (this.state.partial) this.seg().end();
    this.segment = null;
    this.sink.fileEnd();
    this.state.identity = null;
    this.state.offset = 0;
    this.state.line = 0;
    this.state.partial = '';
    this.state.lastSize = 0;
    this.state.warmEnd = -1;
  }

  /**
   * The file we were reading is gone (or replaced). Looks for it in the zips that are new or changed
   * since we last looked; reads the rest of it, then archived files we missed entirely. When it is in no
   * zip and a new file is already there, what we saw of it but did not read is reported as a gap.
   */
  private async recover(newFilePresent: boolean): Promise<boolean> {
    const st = this.state;
    const id = st.identity;
    // Waiting for a new file (identity null at offset 0): every new zip holds a file we never saw.
    const waiting = id === null && st.offset === 0;
    const base = path.basename(this.target.abs);
    const zips = await this.listZips();
    const fresh = zips.filter((z) => {
      const k = st.knownZips[z.name];
      return !k || k.size !== z.size || k.mtimeMs !== z.mtimeMs;
    });
    let matched = waiting ? -2 : -1;
    let readSome = false;
    const done: ((typeof fresh)[number] & { crc?: number; entrySize?: number })[] = [];
    for (let i = 0; i < fresh.length; i++) {
      const z = fresh[i]!;
      let info: ZipEntryInfo | null;
      try {
        info = await findEntry(z.path, base);
      } catch (err) {
        // Still being written (no central directory yet) or corrupt: retried while it changes.
        const prev = this.zipFailures.get(z.name);
        const n = prev && prev.size === z.size && prev.mtimeMs === z.mtimeMs ? prev.n + 1 : 1;
        this.zipFailures.set(z.name, { n, size: z.size, mtimeMs: z.mtimeMs });
        if (n >= ZIP_RETRIES) {
          this.opts.onProblem({ source: z.display, message: `corrupt or truncated zip, skipped (${(err as Error).message})` });
          done.push(z);
        }
        continue;
      }
      if (!info) {
        done.push(z);
        continue;
      }
      const known = st.knownZips[z.name];
      done.push({ ...z, crc: info.entry.crc32, entrySize: info.entry.uncompressedSize });
      if (known && known.crc === info.entry.crc32 && known.entrySize === info.entry.uncompressedSize) {
        info.zf.close(); // the same log entry as before: nothing new in it
        continue;
      }
      try {
        if (matched === -1) {
          if (!id || id.headLen === 0) continue;
          const head = await entryHead(info, id.headLen);
          if (head.length === id.headLen && sha256(head) === id.headHash) {
            matched = i;
            readSome = true;
            await this.readZipRest(info, `${z.display}!${info.entry.fileName}`);
          }
        } else {
          // A whole archived file written while we were not running: read it from its start.
          this.finishFile();
          readSome = true;
          await this.readZipRest(info, `${z.display}!${info.entry.fileName}`);
        }
      } catch (err) {
        this.opts.onProblem({ source: `${z.display}!${info.entry.fileName}`, message: `read stopped: ${(err as Error).message}` });
      } finally {
        info.zf.close();
      }
    }
    for (const z of done) st.knownZips[z.name] = { size: z.size, mtimeMs: z.mtimeMs, crc: z.crc, entrySize: z.entrySize };
    if (matched === -2) {
      if (readSome) this.finishFile();
      return readSome;
    }
    if (matched !== -1) {
      this.finishFile();
      return true;
    }
    if (!newFilePresent) return false; // deleted, the new file not made yet: wait (the zip is made before the delete)
    // Replaced by a file that is not the rotation of ours, and no zip holds ours.
    const partialLen = Buffer.from(st.partial, 'base64').length;
    const fromOffset = st.offset - partialLen;
    const seen = Math.max(st.lastSize, st.offset);
    const bytes = seen > fromOffset ? seen - fromOffset : null;
    if (st.identity !== null && (bytes !== null || partialLen > 0 || st.offset > 0)) {
      st.counters.gaps++;
      this.sink.gap({
        notice: 'input-gap',
        source: this.target.display,
        fromLine: st.line + 1,
        fromOffset,
        bytes,
        proven: bytes !== null,
        message:
          bytes !== null
            ? `${this.target.display} was replaced and no logs/*.zip holds it: ${bytes} bytes from line ${st.line + 1} (offset ${fromOffset}) are in neither`
            : `${this.target.display} was replaced and no logs/*.zip holds it: lines written after line ${st.line} (offset ${fromOffset}), if any, were not seen`,
      });
    }
    // Drop the unfinished line (its end is lost) and start the new file from its beginning.
    st.partial = '';
    this.segment = null;
    this.finishFile();
    return false;
  }

  /** Feeds a zip entry's bytes beyond the state's offset (all of it when the state is at 0). */
  private async readZipRest(info: ZipEntryInfo, source: string): Promise<void> {
    const st = this.state;
    const seg = this.seg();
    seg.rename(source);
    const skip = st.offset;
    const s = await entryStream(info.zf, info.entry);
    let pos = 0;
    for await (const c0 of s) {
      const c = c0 as Buffer;
      const from = Math.max(0, skip - pos);
      pos += c.length;
      if (from < c.length) seg.push(from === 0 ? c : c.subarray(from));
    }
    // Seen in the live file but not in its zip (written between 7za reading it and the delete, and not read by us).
    if (st.lastSize > pos && pos >= skip) {
      st.counters.gaps++;
      this.sink.gap({
        notice: 'input-gap',
        source,
        fromLine: st.line + 1,
        fromOffset: pos,
        bytes: st.lastSize - pos,
        proven: true,
        message: `${st.lastSize - pos} bytes after offset ${pos} of ${this.target.display} were written after it was zipped and are in neither the zip nor what was read`,
      });
    }
  }
}
