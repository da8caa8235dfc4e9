/**
 * Tail checkpoints (issue 4, item 2): everything `cqlog tail` needs to resume exactly where it
 * stopped, written atomically (temp file, fsync, rename) so a `kill -9` or a power cut leaves either
 * the old or the new state, never a torn one.
 *
 * Without `--state FILE` the state lives in `stateDir()`, one file per followed path:
 * `tail-<first 16 hex digits of sha256(absolute path)>.json` (the path is lower-cased first on
 * Windows, where file names are case-insensitive).
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { stateDir } from '../common/userDirs.js';

export const STATE_VERSION = 1;
/** Ids of alerts already sent that are remembered (the oldest are forgotten first). */
export const MAX_SENT_IDS = 10_000;

/** What a followed file is: the hash of its first bytes, plus the file system's own id where meaningful. */
export interface FileIdentity {
  /** Number of leading bytes hashed (grows up to HEAD_BYTES while the file is young). */
  headLen: number;
  /** sha256 (hex) of the first `headLen` bytes. */
  headHash: string;
  /** st_dev / st_ino on POSIX (0 or absent where not meaningful). */
  dev?: number;
  ino?: number;
  /** Creation time in ms on Windows (NTFS keeps it; ino may be 0 on shares). */
  birthtimeMs?: number;
}

/** A physical line read but not yet part of an emitted event (the assembler may still join continuations to it). */
export interface PendingLine {
  /** The line's bytes as latin1 text (every byte kept). */
  raw: string;
  offset: number;
  line: number;
  /** Display name of the source it was read from (the live file or its zipped copy). */
  source: string;
}

export interface QueuedWebhook {
  alert: Record<string, unknown>;
  attempts: number;
  /** Epoch ms before which it is not retried. */
  nextAt: number;
}

export interface TailState {
  version: number;
  /** Absolute path of the followed live file. */
  path: string;
  /** Display name used as the events' `source`. */
  source: string;
  /** Identity of the file `offset` refers to; null while waiting for a new file (after a rotation, or first run with no file). */
  identity: FileIdentity | null;
  /** Bytes of the current file consumed by the line splitter (including `partial`). */
  offset: number;
  /** Complete physical lines of the current file handed to the assembler. */
  line: number;
  /** Bytes after the last newline read (a line still being written), base64. */
  partial: string;
  /** Lines of the event the assembler still holds open. */
  pendingLines: PendingLine[];
  /** First run without --from-start: events starting before this offset of the current file only feed the forensic state (-1: none). */
  warmEnd: number;
  /** Largest size seen of the current file (to prove a gap when it vanishes unarchived). */
  lastSize: number;
  /**
   * Zips of logs/ already accounted for: name → size and mtime, and the CRC-32 and size of the log
   * entry inside (a zip whose stat changed but whose entry did not, e.g. stat'ed while still being
   * written or updated with other files by 7za, is not read again).
   */
  knownZips: Record<string, { size: number; mtimeMs: number; crc?: number; entrySize?: number }>;
  /** Counters over the life of this state. */
  counters: { lines: number; bytes: number; events: number; alerts: number; warmupLines: number; gaps: number; webhookDropped: number };
  /** ForensicEngine.snapshot(), or null. */
  engine: unknown;
  /** Occurrences per (kind, time, text) within the current second, so two identical lines in one second get distinct ids. */
  repeat: { time: string | null; list: { key: string; count: number }[] };
  /** Ids of alerts already sent, oldest first. */
  sentIds: string[];
  webhookQueue: QueuedWebhook[];
  updatedAt: string;
}

export function newState(absPath: string, source: string): TailState {
  return {
    version: STATE_VERSION,
    path: absPath,
    source,
    identity: null,
    offset: 0,
    line: 0,
    partial: '',
    pendingLines: [],
    warmEnd: -1,
    lastSize: 0,
    knownZips: {},
    counters: { lines: 0, bytes: 0, events: 0, alerts: 0, warmupLines: 0, gaps: 0, webhookDropped: 0 },
    engine: null,
    repeat: { time: null, list: [] },
    sentIds: [],
    webhookQueue: [],
    updatedAt: new Date().toISOString(),
  };
}

/** The default state file of a followed path. */
export function defaultStateFile(absPath: string): string {
  const key = process.platform === 'win32' ? absPath.toLowerCase() : absPath;
  const h = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 16);
  return path.join(stateDir(), `tail-${h}.json`);
}

/** Reads a state file; null when there is none. A corrupt file is an error (never silently started over). */
export async function loadState(file: string): Promise<TailState | null> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const s = JSON.parse(text) as TailState;
  if (!s || typeof s !== 'object' || s.version !== STATE_VERSION) throw new Error(`state file ${file} has an unknown format (version ${String((s as { version?: unknown })?.version)})`);
  // Fill in fields added later, so older states keep working.
  const base = newState(s.path, s.source);
  return { ...base, ...s, counters: { ...base.counters, ...s.counters } };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Writes the state atomically: temp file in the same folder, fsync, rename over the old one (on
 * Windows fs.rename replaces an existing file; a virus scanner holding it briefly is retried).
 */
export async function saveState(file: string, state: TailState): Promise<void> {
  state.updatedAt = new Date().toISOString();
  const dir = path.dirname(file);
  await fsp.mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await fsp.open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(JSON.stringify(state), 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await fsp.rename(tmp, file);
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (attempt < 10 && (code === 'EPERM' || code === 'EACCES' || code === 'EBUSY')) {
        await sleep(20 * (attempt + 1));
        continue;
      }
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
  }
  // Make the rename itself durable where folders can be fsynced (not on Windows).
  if (process.platform !== 'win32') {
    try {
      const d = await fsp.open(dir, 'r');
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    } catch {
      /* best effort */
    }
  }
}

/** Records an alert id as sent, forgetting the oldest beyond MAX_SENT_IDS. */
export function rememberSent(state: TailState, id: string, sent: Set<string>): void {
  if (sent.has(id)) return;
  sent.add(id);
  state.sentIds.push(id);
  while (state.sentIds.length > MAX_SENT_IDS) sent.delete(state.sentIds.shift()!);
}
