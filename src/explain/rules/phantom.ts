/**
 * The seed incident (reference §4.1, §4.3 (c)–(d), §7): a virtual-server C-MOVE makes database rows
 * (device MAG0.0, no file) before it connects to the destination; the destination refuses; nothing
 * fetches the files or removes the rows; every later push under the real PatientID is refused.
 */
import type { MoveRecord } from '../../correlate/state.js';
import type { DiagnosisRule, ExplainContext } from '../context.js';
import type { Evidence } from '../types.js';
import { ae, idNote, refusalSummary } from '../describe.js';

/** Seconds of slack between a virtual row's file-name time token and the move that made it. */
const ROW_TIME_SLACK = 120;

function moveEvidence(m: MoveRecord): Evidence[] {
  return m.evidence.filter((e) => e.role !== undefined).map((e) => ({ ...e, role: `failed retrieve: ${e.role}` }));
}

/** The failed move that made Old's rows: named by debug lines, or dated by the rows' file-name time token. */
function moveFor(ctx: ExplainContext, old: string, fileTimes: number[]): MoveRecord | null {
  const named = ctx.failedMovesBefore.filter((m) => m.virtualRows[old] !== undefined);
  if (named.length > 0) return named[named.length - 1]!;
  if (ctx.clockOffsetSeconds !== null && fileTimes.length > 0) {
    const t = fileTimes[0]! + ctx.clockOffsetSeconds;
    const dated = ctx.failedMovesBefore.filter((m) => {
      const mt = m.time ? Date.UTC(+m.time.slice(0, 4), +m.time.slice(5, 7) - 1, +m.time.slice(8, 10), +m.time.slice(11, 13), +m.time.slice(14, 16), +m.time.slice(17, 19)) / 1000 : NaN;
      return Math.abs(mt - t) <= ROW_TIME_SLACK;
    });
    if (dated.length > 0) return dated[dated.length - 1]!;
  }
  return null;
}

function describeMove(m: MoveRecord): string {
  return `of ${m.time ?? '?'}: ${ae(m.requestingAe)} asked the router to move ${m.imagesToSend ?? '?'} image${m.imagesToSend === 1 ? '' : 's'} to ${m.destination}, and ${m.destination} did not accept the connection (${m.source}:${m.line})`;
}

export const phantomFromFailedRetrieve: DiagnosisRule = {
  id: 'phantom-from-failed-retrieve',
  description: 'Old came from a virtual-server retrieve whose destination refused the connection; no file was ever written under Old',
  needs:
    'high: a line naming Old on a virtual device (debug `Virtual query (…) added - Old\\…`, or `*** missing file: MAG0.0 Old\\…`); ' +
    'medium: a refused delivery of N>0 images before the first refusal and no `Written file` under Old',
  explain(ctx) {
    const c = ctx.collision;
    if (c.table.toLowerCase() !== 'dicomstudies') return null;
    if (ctx.written(c.old)) return null;
    const vf = ctx.virtual(c.old);
    const refusals: Evidence[] = c.firstRefusals.slice(0, 2).map((e) => ({ ...e, role: 'refusal' }));
    const save = c.saveErrors.slice(0, 1).map((e) => ({ ...e, role: 'object not stored' }));
    const inconsistent = c.studyUid ? ctx.inconsistent(c.studyUid).slice(0, 2).map((e) => ({ ...e, role: 'PacsTrouble.log: differing fields' })) : [];
    const bsn = idNote('Old', c.old, ctx.site);
    const bounded =
      ctx.writtenEvicted > 0
        ? ` (${ctx.writtenEvicted} of the oldest patient folders were dropped from memory by the written-folders bound; index the logs with \`cqlog index\` and search for '${c.old}' to be sure)`
        : '';
    const total = c.primaryTimes.length + c.overflowPrimary || c.copyTimes.length + c.overflowCopy;
    const namedVirtually = vf !== undefined && (vf.added > 0 || vf.missing > 0);
    if (namedVirtually) {
      const m = moveFor(ctx, c.old, vf.fileTimes);
      const named: Evidence[] = [
        ...vf.addedEvidence.slice(0, 2).map((e) => ({ ...e, role: 'database row made for Old on the virtual device' })),
        ...(vf.firstMissing ? [{ ...vf.firstMissing, role: 'phantom row of Old without a file' }] : []),
      ];
      const how = m
        ? `Old='${c.old}' came from the retrieve through this router ${describeMove(m)}. The router had already made database rows for those images on the virtual device (MAG0.0, no file), so nothing fetched the files and nothing removed the rows.`
        : `A line names Old='${c.old}' on the virtual device (${named[0]!.source}:${named[0]!.line}): the database held rows for Old without files, the mark of a virtual-server retrieve whose delivery failed. The failed retrieve itself is not in the logs read.`;
      return {
        cause: 'phantom-from-failed-retrieve',
        confidence: 'high',
        explanation: `${how} No file was ever written under '${c.old}'${bounded}. ${refusalSummary(c, total)} ${bsn}`.trim(),
        evidence: [...(m ? moveEvidence(m) : []), ...named, ...inconsistent, ...refusals, ...save],
      };
    }
    // Moves whose rows debug lines show under another folder did not make Old's rows.
    const candidates = ctx.failedMovesBefore.filter((m) => Object.keys(m.virtualRows).length === 0);
    if (candidates.length === 0) return null;
    const m = candidates[candidates.length - 1]!;
    const others = candidates.length - 1;
    const confidence = ctx.virtualServer ? 'medium' : 'low';
    const explanation =
      `Most likely Old='${c.old}' came from the retrieve ${describeMove(m)}. ` +
      `${ctx.virtualServer ? 'On this virtual server such a retrieve makes database rows before it connects, and they stay when the destination refuses.' : 'No virtual-server configuration or line was found, which makes this less certain.'} ` +
      `The normal log never shows which PatientID a retrieve used (only debug logging names it), but no file was ever written under '${c.old}'${bounded}` +
      `${others > 0 ? `, and ${others} earlier failed retrieve${others === 1 ? '' : 's'} also precede the first refusal` : ''}. ` +
      `${refusalSummary(c, total)} ${bsn}`;
    return { cause: 'phantom-from-failed-retrieve', confidence, explanation: explanation.trim(), evidence: [...moveEvidence(m), ...inconsistent, ...refusals, ...save] };
  },
};
