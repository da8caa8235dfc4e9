/** Objects of the same series (or study) were written under Old before: the sender changed or merged the PatientID. */
import type { DiagnosisRule } from '../context.js';
import type { Evidence } from '../types.js';
import { idNote, refusalSummary } from '../describe.js';
import { patientFolderOf } from '../../common/patientFolder.js';

export const patientIdChangedAtSource: DiagnosisRule = {
  id: 'patient-id-changed-at-source',
  description: 'The study was stored under Old before; the sender later changed or merged the PatientID',
  needs: 'Written file lines under the Old patient folder (high when of the same series as the refused objects)',
  explain(ctx) {
    const c = ctx.collision;
    if (c.table.toLowerCase() !== 'dicomstudies') return null;
    const w = ctx.written(c.old);
    if (!w) return null;
    const folder = patientFolderOf(c.old);
    const sameSeries = c.seriesUids.map((u) => ctx.writtenSeries(u)).find((s) => s && (s.folders.includes(c.old) || s.folders.includes(folder)));
    const total = c.primaryTimes.length + c.overflowPrimary || c.copyTimes.length + c.overflowCopy;
    const evidence: Evidence[] = [
      { ...w.first, role: `first stored under Old` },
      ...c.firstRefusals.slice(0, 2).map((e) => ({ ...e, role: 'refusal' })),
      ...c.saveErrors.slice(0, 1).map((e) => ({ ...e, role: 'object not stored' })),
    ];
    const first = w.first;
    return {
      cause: 'patient-id-changed-at-source',
      confidence: sameSeries ? 'high' : 'medium',
      explanation:
        `${sameSeries ? `Objects of the same series` : `${w.count} object${w.count === 1 ? '' : 's'}`} were stored under PatientID '${c.old}' before (first at ${first.time ?? '?'}, ${first.source}:${first.line}). ` +
        `The sender now sends ${sameSeries ? 'them' : 'this study'} under '${c.refused}': the PatientID was changed or merged at the source (or at the modality) after the first send. ` +
        `${refusalSummary(c, total)} ${idNote('Old', c.old, ctx.site)}`.trim(),
      evidence,
    };
  },
};
