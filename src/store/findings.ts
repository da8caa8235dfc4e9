/**
 * Findings of the forensic rules kept beside the events: `collisions` and `warnings` hold the JSON of
 * `Collision` / `Warning` (src/explain/types.ts) with key columns to query by. A finding with the
 * same id (stable: derived from table, key, old and refused values) is replaced by the newer analysis.
 */
import type { AnalysisResult } from '../explain/types.js';
import type { DB } from './schema.js';
import { analysisLane, ForensicEngine } from '../correlate/engine.js';
import type { AnalysisLane } from '../pipeline/readEvents.js';
import { remediationFor } from '../explain/remediation.js';
import type { LogEvent } from '../parse/event.js';
import type { ConquestConfig } from '../source/types.js';
import { storedEvents } from './search.js';

export interface StoredFindings {
  collisions: number;
  warnings: number;
}

export function storeFindings(db: DB, result: AnalysisResult): StoredFindings {
  const at = new Date().toISOString();
  const c = db.prepare(
    `INSERT INTO collisions(id, study_uid, old_value, refused_value, first_seen, last_seen, cause, json, stored_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET study_uid = excluded.study_uid, old_value = excluded.old_value, refused_value = excluded.refused_value,
       first_seen = min(coalesce(collisions.first_seen, excluded.first_seen), coalesce(excluded.first_seen, collisions.first_seen)),
       last_seen = max(coalesce(collisions.last_seen, excluded.last_seen), coalesce(excluded.last_seen, collisions.last_seen)),
       cause = excluded.cause, json = excluded.json, stored_at = excluded.stored_at`,
  );
  const w = db.prepare(
    `INSERT INTO warnings(id, kind, study_uid, old_value, refused_value, first_seen, patient_folder, source, line, json, stored_at)
     VALUES (?, ?, NULL, NULL, NULL, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, first_seen = excluded.first_seen, patient_folder = excluded.patient_folder,
       source = excluded.source, line = excluded.line, json = excluded.json, stored_at = excluded.stored_at`,
  );
  db.transaction(() => {
    for (const x of result.collisions) {
      c.run(x.id, x.studyUid, x.oldValue, x.refusedValue, x.firstSeen, x.lastSeen, x.cause, JSON.stringify(x), at);
    }
    for (const x of result.warnings) {
      w.run(x.id, x.kind, x.time, x.patientFolder, x.source, x.line, JSON.stringify(x), at);
    }
  })();
  return { collisions: result.collisions.length, warnings: result.warnings.length };
}

/** Stored collisions touching a study or patient value (for search and reports). */
export function findCollisions(db: DB, o: { study?: string; patient?: string } = {}): unknown[] {
  const w: string[] = [];
  const p: string[] = [];
  if (o.study !== undefined) {
    w.push('study_uid = ?');
    p.push(o.study);
  }
  if (o.patient !== undefined) {
    w.push('(old_value = ? OR refused_value = ?)');
    p.push(o.patient, o.patient);
  }
  const rows = db.prepare(`SELECT json FROM collisions${w.length ? ' WHERE ' + w.join(' OR ') : ''} ORDER BY first_seen`).pluck().all(...p) as string[];
  return rows.map((j) => JSON.parse(j) as unknown);
}

/**
 * The patient IDs the stored findings name: Old and Refused of PatientID-link collisions, and the
 * patient folder of warnings. `search --redact` learns them before printing any line, so a
 * collision's IDs are redacted even in lines (or hits) that do not name them as a field.
 */
export function findingPatientIds(db: DB, max: number): string[] {
  const ids = db
    .prepare(
      `SELECT v FROM (
         SELECT old_value AS v, json_extract(json, '$.column') AS col FROM collisions
         UNION ALL SELECT refused_value, json_extract(json, '$.column') FROM collisions
         UNION ALL SELECT patient_folder, 'PatientID' FROM warnings
       ) WHERE v IS NOT NULL AND lower(col) = 'patientid' LIMIT ?`,
    )
    .pluck()
    .all(max) as string[];
  return ids;
}

// ------------------------------------------------------------------ the forensic engine over the index


function meta(db: DB, key: string): string | null {
  const v = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined;
  return v ?? null;
}

function setMeta(db: DB, key: string, value: string | null): void {
  if (value === null) db.prepare('DELETE FROM meta WHERE key = ?').run(key);
  else db.prepare('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}

/**
 * Keeps the forensic engine's findings up to date as `index` adds events: the engine's state is
 * saved in `meta` after each run and restored for the next, so only new events are fed. A run that
 * did not finish leaves the state marked stale; the next run then replays every stored event.
 */
export class IndexAnalysis {
  private engine: ForensicEngine;
  private readonly replay: boolean;

  constructor(private readonly db: DB) {
    const snap = meta(db, 'engine_snapshot');
    const stale = meta(db, 'engine_stale') !== null;
    let engine: ForensicEngine | null = null;
    if (snap !== null && !stale) {
      try {
        engine = ForensicEngine.restore(JSON.parse(snap));
      } catch {
        engine = null;
      }
    }
    const hasEvents = db.prepare('SELECT 1 FROM blocks LIMIT 1').get() !== undefined;
    this.replay = engine === null && hasEvents;
    this.engine = engine ?? new ForensicEngine();
    setMeta(db, 'engine_stale', new Date().toISOString());
  }

  private readonly configs: ConquestConfig[] = [];

  /** A dicom.ini found by the indexer (kept across a replay). */
  readonly onConfig = (c: ConquestConfig): void => {
    this.configs.push(c);
    this.engine.addConfig(c);
  };

  /**
   * What the engine reads of each event, for the indexer's byte lane (AnalysisLane). When the stored
   * events are replayed at the end, the live ones are ignored and nothing of them needs decoding.
   */
  get lane(): AnalysisLane {
    const lane = analysisLane(this.engine, false);
    return this.replay ? { ...lane, needsText: () => false } : lane;
  }

  /** The event sink for the indexer (ignored when the stored events are replayed at the end). */
  readonly onEvent = (e: LogEvent): void => {
    if (!this.replay) this.engine.push(e);
  };

  /** Stores the findings and the engine state; returns the counts. */
  finish(): StoredFindings {
    if (this.replay) {
      this.engine = new ForensicEngine();
      for (const c of this.configs) this.engine.addConfig(c);
      for (const e of storedEvents(this.db)) this.engine.push(e);
    }
    const r = this.engine.result();
    r.collisions = r.collisions.map((c) => ({ ...c, remediation: remediationFor(c, r.site) }));
    const stored = storeFindings(this.db, r);
    setMeta(this.db, 'engine_snapshot', JSON.stringify(this.engine.snapshot()));
    setMeta(this.db, 'engine_stale', null);
    return stored;
  }
}
