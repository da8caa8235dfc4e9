/** Sentences shared by the rules: identifiers, site shape, counts. */
import { looksLikeBsn } from '../common/bsn.js';
import type { CollisionState } from '../correlate/state.js';
import type { SitePatientIdShape } from './types.js';

/** Distinct patient folders needed before the site's shape may overrule the BSN flag (a few could all be the BSN's own). */
export const NINE_DIGIT_SITE_SAMPLES = 20;

/** True when the site's own PatientIDs are 9 digits, so about one in eleven of them passes the BSN 11-check. */
export function isNineDigitSite(site: SitePatientIdShape | undefined): boolean {
  return site !== undefined && site.length === 9 && site.digitsOnly && site.samples >= NINE_DIGIT_SITE_SAMPLES;
}

export function idNote(label: string, value: string, site: SitePatientIdShape): string {
  if (looksLikeBsn(value)) {
    // Where the site's own IDs are 9 digits, about one in eleven of them passes the 11-check too.
    if (isNineDigitSite(site)) {
      return `${label}='${value}' passes the BSN 11-check, but this site's PatientIDs are ${site.description} and about one in eleven of them passes it too: it may be an ordinary PatientID.`;
    }
    return `${label}='${value}' is a BSN (9 digits passing the 11-check)${site.length !== null ? `; this site's PatientIDs are ${site.description}` : ''}.`;
  }
  return '';
}

export function refusalSummary(c: CollisionState, refusals: number): string {
  const what = c.table === 'DICOMStudies' ? `study ${c.keyValue}` : c.table === 'DICOMSeries' ? `series ${c.keyValue}` : `image ${c.keyValue}`;
  const span = c.firstSeen === c.lastSeen || c.lastSeen === null ? `at ${c.firstSeen ?? 'an unknown time'}` : `from ${c.firstSeen} to ${c.lastSeen}`;
  return `Conquest refused ${refusals} object${refusals === 1 ? '' : 's'} of ${what} under ${c.column}='${c.refused}' ${span}, because its database already links it to '${c.old}'.`;
}

export function ae(v: string | null): string {
  return v && v.length > 0 ? v : 'an unknown AE';
}
