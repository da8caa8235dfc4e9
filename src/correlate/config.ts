/**
 * Bounds on the forensic state, kept apart from the state they drive (in the spirit of Vector's
 * `reduce` transform: group by, start/end conditions, max events, expiry). Every bound is named
 * here; whatever a bound pushes out is counted and reported in the analysis notes.
 */
export interface CorrelateConfig {
  /** Associations: grouped by server folder + `UPACS THREAD n`; start `thread-start`, end `thread-runtime`/`thread-end`. */
  associations: {
    /** Open associations kept at once; the least recently active beyond this is evicted (flagged). */
    maxOpen: number;
    /** An association with no line for this many seconds of log time is closed as expired (flagged). */
    expireAfterSeconds: number;
  };
  /** Failed retrieves (destination refused after N>0 images) remembered as candidate causes. */
  maxFailedMoves: number;
  /** Patient folders and series remembered from `Written file` lines (LRU beyond). */
  maxWrittenFolders: number;
  maxWrittenSeries: number;
  /** Patient folders named by virtual-server lines (added, Grabbed, missing file). */
  maxVirtualFolders: number;
  /** Study keys with `Inconsistent` lines, and lines kept per study. */
  maxInconsistentStudies: number;
  maxInconsistentPerStudy: number;
  /** Distinct collisions tracked. */
  maxCollisions: number;
  /** Refusal times kept per collision for the PacsTrouble.log de-duplication. */
  maxRefusalTimes: number;
  /** Seconds within which a PacsTrouble.log copy of a `***` line counts as the same refusal. */
  copyWindowSeconds: number;
  /** Distinct patient folders sampled to learn the site's PatientID shape. */
  maxShapeSamples: number;
}

export const DEFAULT_CONFIG: CorrelateConfig = {
  associations: { maxOpen: 256, expireAfterSeconds: 6 * 3600 },
  maxFailedMoves: 10_000,
  maxWrittenFolders: 50_000,
  maxWrittenSeries: 50_000,
  maxVirtualFolders: 50_000,
  maxInconsistentStudies: 20_000,
  maxInconsistentPerStudy: 5,
  maxCollisions: 10_000,
  maxRefusalTimes: 100_000,
  copyWindowSeconds: 2,
  maxShapeSamples: 10_000,
};
