/**
 * Association attribution for the index: a stack of open associations per source (UPACS THREAD …
 * STARTED to TOTAL RUNNING TIME), each with the calling, called and C-MOVE destination AEs seen in it.
 * The stack at the start of each stored block is kept with the block, so a block read back alone
 * attributes its lines exactly as the indexer did.
 */
import type { Fields, FieldValue, LogEvent } from '../parse/event.js';

/** One open association: its UPACS THREAD number and the AEs seen in it. Frames are immutable. */
export interface Frame {
  /** Identity: unique within one indexing run (0: a PacsUser.log line's own association). */
  id: number;
  t: number | null;
  ca: string | null;
  cd: string | null;
  d: string | null;
}
export type Stack = readonly Frame[];

/** Associations open at once in one source, at most (a log that never closes them cannot grow it). */
const MAX_STACK = 32;

export function str(v: FieldValue | undefined): string | null {
  if (typeof v === 'string') return v.length > 0 ? v : null;
  if (typeof v === 'number') return String(v);
  return null;
}

/** Applies an event to the association stack; returns the new stack and the frame the event belongs to. */
export function applyAssociation(stack: Stack, e: LogEvent, newId: () => number): { stack: Stack; frame: Frame | null; changed: boolean } {
  const f = e.fields;
  const top = stack.length > 0 ? stack[stack.length - 1]! : null;
  const setTop = (patch: Partial<Frame>): { stack: Stack; frame: Frame; changed: boolean } => {
    const frame: Frame = { ...(top ?? { id: newId(), t: null, ca: null, cd: null, d: null }), ...patch };
    return { stack: top ? [...stack.slice(0, -1), frame] : [frame], frame, changed: true };
  };
  switch (e.kind) {
    case 'thread-start': {
      const frame: Frame = { id: newId(), t: typeof f.thread === 'number' ? f.thread : null, ca: null, cd: null, d: null };
      const next = [...stack, frame];
      return { stack: next.length > MAX_STACK ? next.slice(next.length - MAX_STACK) : next, frame, changed: true };
    }
    case 'calling-ae':
      return setTop({ ca: str(f.ae) });
    case 'called-ae':
      return setTop({ cd: str(f.ae) });
    case 'move-destination':
      return setTop({ d: str(f.destination) });
    case 'thread-end':
    case 'thread-runtime': {
      const t = typeof f.thread === 'number' ? f.thread : null;
      let i = stack.length - 1;
      while (i >= 0 && stack[i]!.t !== t) i--;
      if (i < 0) return { stack, frame: top, changed: false };
      const frame = stack[i]!;
      // TOTAL RUNNING TIME is the association's last line: it is closed after it.
      return { stack: e.kind === 'thread-runtime' ? stack.slice(0, i) : stack, frame, changed: false };
    }
    case 'user-log': {
      // A PacsUser.log line names its calling AE itself: it is its own one-line association.
      const ae = str(f.ae);
      return { stack, frame: ae !== null ? { id: 0, t: null, ca: ae, cd: null, d: null } : top, changed: false };
    }
    default:
      return { stack, frame: top, changed: false };
  }
}

/** The kinds that change or close an association: their fields are needed while indexing. */
export const ASSOCIATION_KINDS: ReadonlySet<string> = new Set(['thread-start', 'calling-ae', 'called-ae', 'move-destination', 'thread-end', 'thread-runtime', 'user-log']);

export function parseStack(s: unknown): Stack {
  return Array.isArray(s) ? (s as Frame[]).filter((f) => f !== null && typeof f === 'object') : [];
}

const PATIENT_COLUMNS = /^(PatientID|SeriesPat|ImagePat|StudyPat|PatientPat)$/i;
const STUDY_COLUMNS = /^(StudyInsta|StudyInstanceUID|SeriesStud|ImageStud)/i;

function wherePair(f: Fields, re: RegExp): string | null {
  const pairs = f.wherePairs;
  if (!Array.isArray(pairs)) return null;
  for (const p of pairs) {
    if (p && typeof p === 'object' && !Array.isArray(p) && typeof p.column === 'string' && re.test(p.column) && typeof p.value === 'string' && p.value !== '') return p.value;
  }
  return null;
}

/** The PatientID (or patient folder) and StudyInstanceUID an event is about, from its fields. */
export function eventIds(f: Fields): { patient: string | null; study: string | null } {
  return {
    patient: str(f.patientId) ?? str(f.patientFolder) ?? wherePair(f, PATIENT_COLUMNS),
    study: str(f.studyUid) ?? wherePair(f, STUDY_COLUMNS),
  };
}
