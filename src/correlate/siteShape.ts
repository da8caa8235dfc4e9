/**
 * The site's own PatientID shape (issue 3, item 5), learned from the patient folders of
 * `Written file` lines, so an explanation can say "Old is a BSN; this site's PatientIDs are 8 digits".
 */
import type { SitePatientIdShape } from '../explain/types.js';

export interface ShapeState {
  folders: string[];
  seen: Record<string, 1>;
}

export function learnShape(s: ShapeState, folder: string, max: number): void {
  if (s.folders.length >= max || s.seen[folder] === 1 || folder === 'unknown') return;
  s.seen[folder] = 1;
  s.folders.push(folder);
}

function commonPrefix(values: string[]): string {
  if (values.length === 0) return '';
  let p = values[0]!;
  for (const v of values) {
    let i = 0;
    while (i < p.length && i < v.length && p[i] === v[i]) i++;
    p = p.slice(0, i);
    if (p === '') break;
  }
  return p;
}

export function describeShape(s: ShapeState): SitePatientIdShape {
  const ids = s.folders;
  if (ids.length === 0) return { samples: 0, length: null, digitsOnly: false, prefix: null, description: 'unknown (no Written file lines)' };
  const lengths = new Map<number, number>();
  for (const id of ids) lengths.set(id.length, (lengths.get(id.length) ?? 0) + 1);
  const [length, count] = [...lengths.entries()].sort((a, b) => b[1] - a[1])[0]!;
  const digits = ids.filter((id) => /^\d+$/.test(id)).length;
  const digitsOnly = digits / ids.length >= 0.9;
  // A non-numeric prefix shared by (nearly) all IDs, such as `MF-`.
  const prefixRaw = commonPrefix(ids);
  const prefix = prefixRaw.length > 0 && !/^\d+$/.test(prefixRaw) ? prefixRaw : null;
  const share = count / ids.length;
  let description: string;
  if (share >= 0.9) description = `${length} ${digitsOnly ? 'digits' : 'characters'}${prefix ? ` starting with '${prefix}'` : ''}`;
  else description = `mostly ${length} ${digitsOnly ? 'digits' : 'characters'} (${Math.round(share * 100)}% of ${ids.length})${prefix ? `, starting with '${prefix}'` : ''}`;
  return { samples: ids.length, length, digitsOnly, prefix, description };
}
