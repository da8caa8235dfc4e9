/**
 * The only place `tail` touches the forensic engine (src/correlate/engine.ts): events in, findings
 * out, a JSON snapshot for checkpoints.
 */
import { ForensicEngine, type Finding } from '../correlate/engine.js';
import type { LogEvent } from '../parse/event.js';
import type { ConquestConfig } from '../source/types.js';

export type { Finding };

export interface Forensics {
  addConfig(cfg: ConquestConfig): void;
  push(e: LogEvent): readonly Finding[];
  snapshot(): unknown;
}

/**
 * A fresh engine (given the dicom.ini facts), or the one a checkpoint saved, which keeps its own
 * configs. A snapshot that cannot be restored starts afresh, reported.
 */
export function createForensics(saved: unknown, configs: ConquestConfig[], onProblem: (message: string) => void): Forensics {
  if (saved !== null && saved !== undefined) {
    try {
      return ForensicEngine.restore(saved);
    } catch (err) {
      onProblem(`the saved forensic state could not be restored (${(err as Error).message}); starting with an empty one`);
    }
  }
  const engine = new ForensicEngine();
  for (const c of configs) engine.addConfig(c);
  return engine;
}
