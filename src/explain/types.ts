/**
 * The shape of `cqlog analyze --json` (issue 3, item 7). Reports (issue 6) and alerts (issue 4)
 * embed these objects unchanged.
 */

export type Confidence = 'high' | 'medium' | 'low';

export type CauseId =
  | 'phantom-from-failed-retrieve'
  | 'patient-id-changed-at-source'
  | 'series-reused-across-studies'
  | 'image-moved-across-series'
  | 'unexplained';

/** One log line an explanation relied on. */
export interface Evidence {
  source: string;
  line: number;
  time: string | null;
  kind: string;
  text: string;
  /** Why this line matters, in a few words (e.g. "the failed retrieve"). */
  role?: string;
  /**
   * Internal, never printed: which reading of `source` the line is from when the same name was read
   * again from its start (a live log after its daily zip, followed by `tail` or `index`); absent for
   * the first. Line numbers compare only within one reading.
   */
  gen?: number;
}

export interface Collision {
  /** Stable id: derived from (table, key, old, refused). */
  id: string;
  table: string;
  column: string;
  key: { column: string; value: string };
  studyUid: string | null;
  oldValue: string;
  refusedValue: string;
  firstSeen: string | null;
  lastSeen: string | null;
  /** Refused objects, a PacsTrouble.log copy of the same line within 2 s counted once. */
  refusals: number;
  cause: CauseId;
  confidence: Confidence;
  explanation: string;
  oldLooksLikeBsn: boolean;
  refusedLooksLikeBsn: boolean;
  resolvedAt: string | null;
  resolvedHow: string | null;
  /** Series UIDs from the `***Error saving to SQL` lines of the refused objects. */
  seriesUids: string[];
  /** The refusing server's dicom.ini, when one was read with its logs: fills the AE titles of the remediation. */
  server: ServerFacts | null;
  evidence: Evidence[];
  remediation: string[];
}

/** What the refusing install's dicom.ini says of itself. */
export interface ServerFacts {
  /** Where the dicom.ini was read (display name). */
  config: string;
  /** MyACRNema: this server's AE title. */
  myAe: string | null;
  /** VirtualServerFor0..9: the PACS it retrieves from, with the N of each (its rows are on device MAGn.N). */
  virtualServers: { slot: number; ae: string }[];
}

export interface Warning {
  id: string;
  kind: 'phantom-risk';
  time: string | null;
  source: string;
  line: number;
  text: string;
  requestingAe: string | null;
  destinationAe: string | null;
  imageCount: number;
  patientFolder: string | null;
  patientFolderLooksLikeBsn: boolean | null;
  evidence: Evidence[];
  /** What to do, one line per step (warningRemediationFor). */
  remediation: string[];
}

export interface InputSummary {
  source: string;
  lines: number;
  events: number;
  unknown: number;
  problems: number;
}

export interface SitePatientIdShape {
  /** How many distinct patient folders were seen in `Written file` lines. */
  samples: number;
  /** Most common length, and whether all-digit IDs dominate. */
  length: number | null;
  digitsOnly: boolean;
  prefix: string | null;
  description: string;
}

/** What the bounded state had to drop or could not decide (issue 3, item 1: flag anything evicted). */
export interface AnalysisNotes {
  /** Refusals and move lines whose association the log could not decide (attributed to the most likely one). */
  ambiguousLines: number;
  evictedAssociations: number;
  expiredAssociations: number;
  /** Entries dropped by each named bound of src/correlate/config.ts. */
  evicted: Record<string, number>;
}

export interface AnalysisResult {
  collisions: Collision[];
  warnings: Warning[];
  inputs: InputSummary[];
  site: SitePatientIdShape;
  notes?: AnalysisNotes;
}
