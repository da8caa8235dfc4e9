/** DICOMSeries link refused: the series UID is already stored in another study (reference §4.2). */
import type { DiagnosisRule } from '../context.js';

export const seriesReusedAcrossStudies: DiagnosisRule = {
  id: 'series-reused-across-studies',
  description: 'A series UID arrives in a different study than the one the database holds it under',
  needs: 'a refusal on DICOMSeries (link column StudyInstanceUID/StudyInsta); Written file lines of that series',
  explain(ctx) {
    const c = ctx.collision;
    if (c.table.toLowerCase() !== 'dicomseries') return null;
    const s = ctx.writtenSeries(c.keyValue);
    const w = s && s.folders.length > 0 ? ctx.written(s.folders[0]!) : undefined;
    return {
      cause: 'series-reused-across-studies',
      confidence: 'high',
      explanation:
        `Series ${c.keyValue} is stored in study ${c.old}; objects of the same series now arrive in study ${c.refused} and are refused. ` +
        `The sender reused a series UID across studies (or the study UID was changed at the source).` +
        (w ? ` Its patient folder ${s!.folders[0]} was first written at ${w.first.time ?? '?'} (${w.first.source}:${w.first.line}).` : ''),
      evidence: w ? [{ ...w.first, role: 'patient folder of the series first stored' }] : [],
    };
  },
};
