/**
 * Where the indexer's blocks go: one transaction per batch (its blocks, their FTS5 documents and the
 * progress record that makes the batch resumable). Deflating and inserting cost more than parsing, so
 * for a large input they run in a worker thread with its own connection (src/store/writerWorker.ts)
 * while the main thread parses the next batch; at most one batch is in flight. A small input is
 * written inline: a worker's start-up would cost more than it saves.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BlockContext } from './blocks.js';
import { compress } from './blocks.js';
import type { DB } from './schema.js';

/** A finished block, ready to be stored. */
export interface BlockOut {
  line: number;
  off: number;
  endLine: number;
  events: number;
  /** Events without a time. */
  untimed: number;
  tmin: number | null;
  tmax: number | null;
  ctx: BlockContext;
  raw: Uint8Array;
  /** Its FTS5 document (src/store/blocks.ts blockDocument). */
  doc: string;
  /** Its events for the `events` view (src/store/eventRows.ts). */
  eventRows: string;
}

export interface ProgressRow {
  src: number;
  path: string | null;
  base: string;
  head_len: number;
  head_hash: string;
  size: number;
  lines: number;
  resume_off: number;
  resume_line: number;
  state: string | null;
  current: number;
}

export interface Batch {
  src: number;
  blocks: BlockOut[];
  progress: ProgressRow;
}

export interface BlockWriter {
  /** Resolves once the batch is committed; rejects with the database's error. */
  commit(batch: Batch): Promise<void>;
  close(): Promise<void>;
}

/** Inputs at least this large are written by a worker thread. */
export const WORKER_MIN_BYTES = 32 * 1024 * 1024;

/** The statements of one connection, and the transaction of one batch. */
export class BatchInserter {
  private readonly q;

  constructor(private readonly db: DB) {
    this.q = {
      insBlock: db.prepare('INSERT INTO blocks(src, line, off, end_line, events, untimed, tmin, tmax, ctx) VALUES (?,?,?,?,?,?,?,?,?)'),
      insData: db.prepare('INSERT INTO block_data(id, data) VALUES (?, ?)'),
      insFts: db.prepare('INSERT INTO blocks_fts(rowid, body) VALUES (?, ?)'),
      insEvents: db.prepare('INSERT INTO block_events(id, j) VALUES (?, ?)'),
      // The longest time a block spans: a search by time starts its index walk that far before the window.
      saveSpan: db.prepare(
        "INSERT INTO meta(key, value) VALUES ('max_block_span', ?) ON CONFLICT(key) DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
      ),
      saveProgress: db.prepare(
        `INSERT INTO progress(src, path, base, head_len, head_hash, size, lines, resume_off, resume_line, state, current, updated_at)
         VALUES (@src, @path, @base, @head_len, @head_hash, @size, @lines, @resume_off, @resume_line, @state, @current, @updated_at)
         ON CONFLICT(src) DO UPDATE SET path = excluded.path, base = excluded.base, head_len = excluded.head_len, head_hash = excluded.head_hash,
           size = excluded.size, lines = excluded.lines, resume_off = excluded.resume_off, resume_line = excluded.resume_line,
           state = excluded.state, current = excluded.current, updated_at = excluded.updated_at`,
      ),
    };
  }

  commit(batch: Batch): void {
    const data = batch.blocks.map((b) => compress(b.raw));
    this.db.transaction(() => {
      batch.blocks.forEach((b, i) => {
        const id = this.q.insBlock.run(batch.src, b.line, b.off, b.endLine, b.events, b.untimed, b.tmin, b.tmax, JSON.stringify(b.ctx)).lastInsertRowid;
        this.q.insData.run(id, data[i]!);
        this.q.insFts.run(id, b.doc);
        this.q.insEvents.run(id, b.eventRows);
      });
      let span = 0;
      for (const b of batch.blocks) if (b.tmin !== null && b.tmax !== null) span = Math.max(span, b.tmax - b.tmin);
      this.q.saveSpan.run(span);
      this.q.saveProgress.run({ ...batch.progress, updated_at: new Date().toISOString() });
    })();
  }
}

export class InlineWriter implements BlockWriter {
  private readonly ins: BatchInserter;

  constructor(db: DB) {
    this.ins = new BatchInserter(db);
  }

  commit(batch: Batch): Promise<void> {
    try {
      this.ins.commit(batch);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Messages between the indexer and its worker. */
export type ToWorker = { type: 'commit'; id: number; batch: Batch } | { type: 'close' };
export type FromWorker = { type: 'ready' } | { type: 'done'; id: number } | { type: 'error'; id: number; message: string; code?: string };

/** The compiled worker: beside this module in dist/, or dist/store/ when this module runs from src/ (tests). */
function workerFile(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.join(here, 'writerWorker.js');
  return existsSync(beside) ? beside : path.join(here, '..', '..', 'dist', 'store', 'writerWorker.js');
}

export class WorkerWriter implements BlockWriter {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private failed: Error | null = null;
  private readonly exited: Promise<void>;

  constructor(file: string) {
    this.worker = new Worker(workerFile(), { workerData: { file } });
    this.worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.type === 'done') p.resolve();
      else p.reject(Object.assign(new Error(m.message), m.code !== undefined ? { code: m.code } : {}));
    });
    const fail = (err: Error): void => {
      this.failed ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.exited = new Promise((resolve) => {
      this.worker.on('exit', (code) => {
        if (code !== 0) fail(new Error(`the index writer thread stopped (exit code ${code})`));
        resolve();
      });
    });
  }

  commit(batch: Batch): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // The raw bytes move to the worker instead of being copied (each block owns its buffer).
      const transfer = [...new Set(batch.blocks.map((b) => b.raw.buffer as ArrayBuffer))];
      this.worker.postMessage({ type: 'commit', id, batch } satisfies ToWorker, transfer);
    });
  }

  async close(): Promise<void> {
    this.worker.postMessage({ type: 'close' } satisfies ToWorker);
    await this.exited;
  }
}
