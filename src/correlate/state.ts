/** The forensic state the rules read: bounded indexes built while the events stream past. */
import type { Evidence } from '../explain/types.js';
import type { MoveRecord } from './associations.js';

export interface FolderWritten {
  count: number;
  /** The folder's first `Written file` line read. */
  first: Evidence;
  /**
   * The first line of each other install that wrote the folder (at most MAX_OTHER_INSTALLS), when
   * several are read together: another install's earlier write must not hide this one's.
   */
  others?: Evidence[];
}

/** Other installs' first writes kept per folder (FolderWritten.others). */
export const MAX_OTHER_INSTALLS = 4;

/** Series seen in `Written file` lines: which patient folders (the folder entry holds the evidence line). */
export interface SeriesWritten {
  folders: string[];
  count: number;
}

/** What virtual-server lines say about one patient folder (the PatientID of virtual rows). */
export interface VirtualFolder {
  added: number;
  addedEvidence: Evidence[];
  grabbed: Evidence[];
  missing: number;
  firstMissing: Evidence | null;
  lastMissing: Evidence | null;
  deletions: number;
  lastDeletion: Evidence | null;
  /** `time(NULL)` tokens of the rows' file names (when the rows were made). */
  fileTimes: number[];
}

export interface CollisionState {
  id: string;
  table: string;
  column: string;
  keyColumn: string;
  keyValue: string;
  studyUid: string | null;
  old: string;
  refused: string;
  firstSeen: string | null;
  lastSeen: string | null;
  /** Refusal times (wall seconds) in serverstatus.log and in PacsTrouble.log copies. */
  primaryTimes: number[];
  copyTimes: number[];
  /** Refusals beyond the kept times. */
  overflowPrimary: number;
  overflowCopy: number;
  firstRefusals: Evidence[];
  lastRefusal: Evidence | null;
  saveErrors: Evidence[];
  seriesUids: string[];
  /** Refusals raised inside a virtual query (`**** Virtual query db problem`). */
  inVirtualQuery: number;
  virtualQueryEvidence: Evidence[];
  pushers: Record<string, number>;
  /** A later `Written file` of the refused value for this study's series. */
  storedAfter: Evidence | null;
}

export type { MoveRecord };
