/** DICOMImages link refused: the SOP instance is stored in another series (reference §4.2). */
import type { DiagnosisRule } from '../context.js';

export const imageMovedAcrossSeries: DiagnosisRule = {
  id: 'image-moved-across-series',
  description: 'An image (SOP instance UID) arrives in a different series than the one the database holds it under',
  needs: 'a refusal on DICOMImages (link column SeriesInstanceUID/SeriesInst)',
  explain(ctx) {
    const c = ctx.collision;
    if (c.table.toLowerCase() !== 'dicomimages') return null;
    const s = ctx.writtenSeries(c.old);
    const w = s && s.folders.length > 0 ? ctx.written(s.folders[0]!) : undefined;
    return {
      cause: 'image-moved-across-series',
      confidence: 'high',
      explanation:
        `Image ${c.keyValue} is stored in series ${c.old}; it now arrives in series ${c.refused} and is refused. ` +
        `The sender moved the image to another series (re-processing, a split or merged series) without a new SOP instance UID.`,
      evidence: w ? [{ ...w.first, role: 'first stored in the old series\' patient folder' }] : [],
    };
  },
};
