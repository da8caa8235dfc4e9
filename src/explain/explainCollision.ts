/** Runs the diagnosis rules in priority order; the first that concludes explains the collision. */
import type { DiagnosisRule, ExplainContext, RuleOutcome } from './context.js';
import { seriesReusedAcrossStudies } from './rules/seriesReused.js';
import { imageMovedAcrossSeries } from './rules/imageMoved.js';
import { patientIdChangedAtSource } from './rules/idChanged.js';
import { phantomFromFailedRetrieve } from './rules/phantom.js';
import { unexplained } from './rules/unexplained.js';

/**
 * Order matters: a series or image link is explained by its table; files written under Old rule out
 * phantom rows (the phantom rule requires that no file was ever written under Old); the fallback last.
 */
export const RULES: readonly DiagnosisRule[] = [
  seriesReusedAcrossStudies,
  imageMovedAcrossSeries,
  patientIdChangedAtSource,
  phantomFromFailedRetrieve,
  unexplained,
];

export function explainCollision(ctx: ExplainContext): RuleOutcome {
  for (const rule of RULES) {
    const out = rule.explain(ctx);
    if (out) return out;
  }
  return unexplained.explain(ctx)!;
}
