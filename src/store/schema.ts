/**
 * The historical index (issue 5): one SQLite database, FTS5 for the text. Opening, pragmas, the
 * schema and its version check.
 *
 * Size and speed: the log text is kept as blocks of consecutive lines, deflated, one row and one
 * full-text document per block (src/store/blocks.ts); times are integer seconds of the local wall
 * clock; events and their fields are re-derived from a block's lines by the same parser when read.
 * The full-text table is contentless (`content=''`, `columnsize=0`, `detail=none`): tokens → block ids.
 */
import Database from 'better-sqlite3';
import type { Command } from 'commander';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { dataDir } from '../common/userDirs.js';
import { FTS_TOKENIZE } from './tokens.js';
import { daysIn } from '../parse/dateOrder.js';
import { EVENTS_VIEW } from './eventRows.js';

export type DB = Database.Database;

/** Bump when the schema changes; a database with a newer version is refused. */
export const SCHEMA_VERSION = 3;

/** Default database: `<dataDir()>/index.sqlite` (CQLOG_DATA_DIR overrides the folder). */
export function defaultDbPath(): string {
  return path.join(dataDir(), 'index.sqlite');
}

export class StoreError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
-- One row per source read: a live file generation (until a rotation), an archive entry, a .gz.
CREATE TABLE IF NOT EXISTS sources (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,            -- display name, as in the event contract's source
  type TEXT NOT NULL,            -- live | archive-entry | gzip
  archive_id INTEGER,            -- archives.id for an archive entry (also a live generation taken over by its zip)
  entry TEXT,                    -- entry name inside the archive
  done INTEGER NOT NULL DEFAULT 0,
  added_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sources_archive ON sources(archive_id, entry);
-- Archives (logs_*.zip, *.gz) by the sha256 of the file: an archive indexed once is skipped.
CREATE TABLE IF NOT EXISTS archives (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  complete INTEGER NOT NULL DEFAULT 0,
  indexed_at TEXT NOT NULL
);
-- Read progress of every source (live files and archive entries): where the next run continues.
CREATE TABLE IF NOT EXISTS progress (
  src INTEGER PRIMARY KEY REFERENCES sources(id),
  path TEXT,                     -- absolute path of a live file (null for archive entries)
  base TEXT NOT NULL,            -- lower-case base name (serverstatus.log), to match a zip entry
  head_len INTEGER NOT NULL,     -- identity: sha256 of the first head_len bytes
  head_hash TEXT NOT NULL,
  size INTEGER NOT NULL,         -- bytes read up to (file size at the last run)
  lines INTEGER NOT NULL,        -- physical lines read
  resume_off INTEGER NOT NULL,   -- byte offset and line of the last stored block: a run continues there
  resume_line INTEGER NOT NULL,
  state TEXT,                    -- association stack before that block (JSON)
  current INTEGER NOT NULL DEFAULT 1, -- 1 while this generation is the file at path
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS progress_path ON progress(path, current);
CREATE INDEX IF NOT EXISTS progress_base ON progress(base);
-- The log text: runs of consecutive lines of one source, deflated (src/store/blocks.ts).
CREATE TABLE IF NOT EXISTS blocks (
  id INTEGER PRIMARY KEY,
  src INTEGER NOT NULL,          -- sources.id
  line INTEGER NOT NULL,         -- first physical line (1-based)
  off INTEGER NOT NULL,          -- its byte offset in the source
  end_line INTEGER NOT NULL,     -- last physical line
  events INTEGER NOT NULL,       -- events starting in the block
  untimed INTEGER NOT NULL DEFAULT 0, -- of which without a time (a search reads such blocks first)
  tmin INTEGER,                  -- earliest and latest event time: local wall clock, seconds since 1970-01-01T00:00:00 (no zone)
  tmax INTEGER,
  ctx TEXT NOT NULL              -- JSON: what the block needs to be parsed alone (association stack, date order, year)
);
-- The raw bytes of a block's lines, deflated: apart, so that scanning blocks by time reads small rows.
CREATE TABLE IF NOT EXISTS block_data (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
-- Each block's events as one JSON document (src/store/eventRows.ts); the events view unpacks them.
CREATE TABLE IF NOT EXISTS block_events (id INTEGER PRIMARY KEY, j TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS blocks_src_line ON blocks(src, line);
CREATE INDEX IF NOT EXISTS blocks_tmin ON blocks(tmin);
CREATE INDEX IF NOT EXISTS blocks_untimed ON blocks(id) WHERE untimed > 0;
-- One document per block: tokens -> block ids only (contentless, no positions; contentless_delete
-- lets a block's row be deleted without its document).
CREATE VIRTUAL TABLE IF NOT EXISTS blocks_fts USING fts5(body, content='', contentless_delete=1, detail=none, tokenize="${FTS_TOKENIZE}");
-- Findings of the forensic rules (src/explain/types.ts), as JSON with key columns.
CREATE TABLE IF NOT EXISTS collisions (
  id TEXT PRIMARY KEY,
  study_uid TEXT,
  old_value TEXT,
  refused_value TEXT,
  first_seen TEXT,
  last_seen TEXT,
  cause TEXT,
  json TEXT NOT NULL,
  stored_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS collisions_study ON collisions(study_uid);
CREATE INDEX IF NOT EXISTS collisions_old ON collisions(old_value);
CREATE INDEX IF NOT EXISTS collisions_refused ON collisions(refused_value);
CREATE TABLE IF NOT EXISTS warnings (
  id TEXT PRIMARY KEY,
  kind TEXT,
  study_uid TEXT,
  old_value TEXT,
  refused_value TEXT,
  first_seen TEXT,
  patient_folder TEXT,
  source TEXT,
  line INTEGER,
  json TEXT NOT NULL,
  stored_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS warnings_patient ON warnings(patient_folder);
`;

export interface OpenOptions {
  /** Open for reading only; the file must exist. */
  readonly?: boolean;
}

function schemaVersionOf(db: DB): number | null {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (!has) return null;
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
  return row ? Number(row.value) : null;
}

/** Opens (and for writing creates) the index. Throws StoreError (exit 2) for a newer schema or a file that is not an index. */
export function openStore(file: string, o: OpenOptions = {}): DB {
  let db: DB;
  try {
    if (!o.readonly) {
      mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      // The index holds the logs' text (patient IDs, names): a new one is readable by its owner only.
      // SQLite gives its journal and WAL files the database file's mode. (On Windows the mode is
      // ignored; the per-user folder's access list applies.)
      if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
    }
    db = new Database(file, { readonly: o.readonly === true, fileMustExist: o.readonly === true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (o.readonly && (code === 'SQLITE_CANTOPEN' || code === 'ENOENT')) throw new StoreError(`${file}: no index there; run \`cqlog index <paths>\` first (or give --db)`);
    throw new StoreError(`${file}: cannot open the index (${(err as Error).message})`);
  }
  try {
    let version: number | null;
    try {
      version = schemaVersionOf(db);
    } catch (err) {
      throw new StoreError(`${file}: not a cqlog index (${(err as Error).message})`);
    }
    if (version !== null && version < SCHEMA_VERSION) {
      throw new StoreError(
        `${file}: this index has schema version ${version}, made by an older cqlog whose layout this one cannot read or extend; delete it (or give another --db) and run \`cqlog index\` again`,
      );
    }
    if (version !== null && version > SCHEMA_VERSION) {
      throw new StoreError(
        `${file}: this index has schema version ${version}, made by a newer cqlog; this cqlog reads version ${SCHEMA_VERSION}. Upgrade cqlog, or use another --db`,
      );
    }
    if (version === null && o.readonly) {
      const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
      throw new StoreError(tables.n === 0 ? `${file}: the index is empty; run \`cqlog index <paths>\` first` : `${file}: not a cqlog index (no schema_version)`);
    }
    if (!o.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('cache_size = -16384');
      db.pragma('temp_store = MEMORY');
      if (version === null) {
        const other = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
        if (other.n > 0) throw new StoreError(`${file}: a SQLite database that is not a cqlog index; not touching it`);
      }
      db.exec('BEGIN');
      db.exec(SCHEMA);
      db.exec(EVENTS_VIEW);
      db.prepare("INSERT INTO meta(key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(SCHEMA_VERSION));
      db.prepare("INSERT OR IGNORE INTO meta(key, value) VALUES ('created_at', ?)").run(new Date().toISOString());
      db.exec('COMMIT');
    } else {
      db.pragma('query_only = 1');
    }
    return db;
  } catch (err) {
    db.close();
    if (err instanceof StoreError) throw err;
    throw new StoreError(`${file}: cannot use the index (${(err as Error).message})`);
  }
}

/** Local wall-clock `YYYY-MM-DDTHH:MM:SS` (an offset after it is ignored) → integer seconds, or null. */
export function timeToInt(t: string | null): number | null {
  if (t === null || t.length < 19) return null;
  const ms = Date.UTC(+t.slice(0, 4), +t.slice(5, 7) - 1, +t.slice(8, 10), +t.slice(11, 13), +t.slice(14, 16), +t.slice(17, 19));
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

/**
 * True when `YYYY-MM-DDTHH:MM:SS` is a real date and time that timeToInt/intToTime give back as
 * written (a year of at least 100: Date.UTC reads 0–99 as 19xx; no month 13, no 31 April, no second 60).
 */
export function isCalendarTime(t: string): boolean {
  const n = (i: number, len: number): number => {
    let v = 0;
    for (let k = i; k < i + len; k++) {
      const c = t.charCodeAt(k) - 48;
      if (c < 0 || c > 9) return -1;
      v = v * 10 + c;
    }
    return v;
  };
  const y = n(0, 4);
  const mo = n(5, 2);
  const d = n(8, 2);
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || n(11, 2) < 0 || n(11, 2) > 23 || n(14, 2) < 0 || n(14, 2) > 59 || n(17, 2) < 0 || n(17, 2) > 59) return false;
  return d <= daysIn(y, mo);
}

export function intToTime(n: number | null): string | null {
  if (n === null || n === undefined) return null;
  return new Date(n * 1000).toISOString().slice(0, 19);
}

/** Opens the index for a command; a store error (no index, newer schema) is printed and gives its exit code. */
export function openStoreForCommand(c: Command, file: string, o: OpenOptions = {}): DB | null {
  try {
    return openStore(file, o);
  } catch (err) {
    if (err instanceof StoreError) {
      process.stderr.write(`cqlog: ${err.message}\n`);
      c.setOptionValue('exitCode', err.exitCode);
      return null;
    }
    throw err;
  }
}
