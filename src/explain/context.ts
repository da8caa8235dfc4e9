/** What a diagnosis rule may read: the collision and the bounded indexes of the forensic state. */
import type { CollisionState, FolderWritten, MoveRecord, SeriesWritten, VirtualFolder } from '../correlate/state.js';
import type { Confidence, CauseId, Evidence, SitePatientIdShape } from './types.js';

export interface ExplainContext {
  collision: CollisionState;
  /** Failed retrieves (destination refused after N>0 images) before the first refusal, oldest first. */
  failedMovesBefore: MoveRecord[];
  written(folder: string): FolderWritten | undefined;
  writtenSeries(uid: string): SeriesWritten | undefined;
  virtual(folder: string): VirtualFolder | undefined;
  /** The server acts as a virtual server (dicom.ini VirtualServerFor…, or virtual-server lines). */
  virtualServer: boolean;
  /** True when a debug log (SystemDebug lines) was among the inputs. */
  debugSeen: boolean;
  site: SitePatientIdShape;
  /** Local wall time minus UTC, in seconds, learned from `Written file` name tokens; null if unknown. */
  clockOffsetSeconds: number | null;
  inconsistent(studyUid: string): Evidence[];
  /** Patient folders dropped by their bound: "no Written file under Old" is then less certain. */
  writtenEvicted: number;
  /** Earliest time read, for "read older logs" advice. */
  firstTimeRead: string | null;
}

export interface RuleOutcome {
  cause: CauseId;
  confidence: Confidence;
  explanation: string;
  evidence: Evidence[];
}

/** One diagnosis rule (in the spirit of a Sigma correlation rule): id, what it says, what it needs, what it concludes. */
export interface DiagnosisRule {
  id: CauseId;
  description: string;
  /** The evidence the rule looks for, in words (shown by `--explain-rules` and the README). */
  needs: string;
  explain(ctx: ExplainContext): RuleOutcome | null;
}
