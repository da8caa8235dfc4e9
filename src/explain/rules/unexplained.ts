/** Nothing in the logs read names Old: say which logs or debug level would settle it. */
import type { DiagnosisRule } from '../context.js';
import { idNote, refusalSummary } from '../describe.js';

export const unexplained: DiagnosisRule = {
  id: 'unexplained',
  description: 'The logs hold no trace of Old; says which logs or debug level would settle it',
  needs: 'nothing (the fallback)',
  explain(ctx) {
    const c = ctx.collision;
    const total = c.primaryTimes.length + c.overflowPrimary || c.copyTimes.length + c.overflowCopy;
    // Refusals seen only as PacsTrouble.log (or GUI log) copies: the server log itself was not read,
    // and only it holds the Written file, move and virtual-server lines (reference §1.4).
    const copiesOnly = c.primaryTimes.length + c.overflowPrimary === 0;
    const older = copiesOnly
      ? "serverstatus.log and its daily archives (logs/logs_*.zip): its refusals were read only in PacsTrouble.log, which holds nothing but the *** lines, so no Written file, move or virtual-server line could be seen"
      : ctx.firstTimeRead
        ? `logs from before ${ctx.firstTimeRead} (older logs/logs_*.zip archives)`
        : 'older logs (logs/logs_*.zip archives)';
    return {
      cause: 'unexplained',
      confidence: 'low',
      explanation:
        `${refusalSummary(c, total)} The logs read hold no trace of '${c.old}': no Written file under it, no virtual-server line naming it, and no failed retrieve before the first refusal. ` +
        `To settle it, read ${older}; ` +
        `${ctx.debugSeen ? '' : 'turn on debug logging (`dgate --debuglog_on:serverstatus.log`) so that `Virtual query (…) added - <PatientID>\\…` lines name the PatientID of the rows a retrieve makes; '}` +
        `and look up study ${c.studyUid ?? c.keyValue} in the database: DeviceName MAG0.0 (or MAGn.N) on its images means rows made by a virtual-server retrieve without files. ${idNote('Old', c.old, ctx.site)}`.trim(),
      evidence: [...c.firstRefusals.slice(0, 2).map((e) => ({ ...e, role: 'refusal' })), ...c.saveErrors.slice(0, 1).map((e) => ({ ...e, role: 'object not stored' }))],
    };
  },
};
