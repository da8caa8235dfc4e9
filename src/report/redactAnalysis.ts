/** Applies `--redact` to a whole analysis: every string that can hold a patient ID or name. */
import type { AnalysisResult, Collision, Evidence, SitePatientIdShape, Warning } from '../explain/types.js';
import { Redactor } from './redact.js';
import { classify } from '../parse/catalog/index.js';

export function redactAnalysis(r: AnalysisResult, red: Redactor = new Redactor()): AnalysisResult {
  for (const c of r.collisions) {
    if (c.column.toLowerCase() === 'patientid') {
      red.learn(c.oldValue);
      red.learn(c.refusedValue);
    }
  }
  for (const w of r.warnings) red.learn(w.patientFolder);
  // Every evidence line is read again for the IDs its fields name (the patient folder of a series
  // collision's first file, the other patients of a failed move's virtual rows), before any is shown.
  for (const e of [...r.collisions.flatMap((c) => c.evidence), ...r.warnings.flatMap((w) => w.evidence)]) {
    const c = classify(e.text);
    red.learnFromFields(c.kind, c.fields);
  }
  const site = redactSite(r.site);
  // Explanations quote the site's shape: the same text without its prefix.
  const shape = (t: string): string => (site.description === r.site.description ? t : t.split(r.site.description).join(site.description));
  const ev = (e: Evidence): Evidence => ({ ...e, text: red.text(e.text) });
  const col = (c: Collision): Collision => ({
    ...c,
    oldValue: red.text(c.oldValue),
    refusedValue: red.text(c.refusedValue),
    key: { ...c.key, value: red.text(c.key.value) },
    explanation: red.text(shape(c.explanation)),
    resolvedHow: c.resolvedHow === null ? null : red.text(c.resolvedHow),
    evidence: c.evidence.map(ev),
    remediation: c.remediation.map((x) => red.text(x)),
  });
  const warn = (w: Warning): Warning => ({
    ...w,
    text: red.text(w.text),
    patientFolder: w.patientFolder === null ? null : red.text(w.patientFolder),
    evidence: w.evidence.map(ev),
    remediation: (w.remediation ?? []).map((x) => red.text(x)),
  });
  return { ...r, collisions: r.collisions.map(col), warnings: r.warnings.map(warn), site };
}

/**
 * The site's PatientID shape without its common prefix: learned from patient folders, the prefix
 * can be most of an ID (`MRN00123` of `MRN0012345` and `MRN0012399`), or all of one when few
 * folders were seen.
 */
export function redactSite(site: SitePatientIdShape): SitePatientIdShape {
  if (site.prefix === null) return site;
  const description = site.description.replace(`, starting with '${site.prefix}'`, '').replace(` starting with '${site.prefix}'`, '');
  return { ...site, prefix: null, description };
}
