/** What the sample writers share: dgate's ctime stamp and the SOP class UIDs of the association frames. */

export const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export const p2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** `ctime()` without its newline, `Thu Nov 26 05:00:01 2026` (day space-padded), of UTC seconds. */
export function ctime(sec: number): string {
  const t = new Date(sec * 1000);
  const d = t.getUTCDate();
  return `${DAYS[t.getUTCDay()]} ${MONTHS[t.getUTCMonth()]} ${d < 10 ? ' ' + d : d} ${p2(t.getUTCHours())}:${p2(t.getUTCMinutes())}:${p2(t.getUTCSeconds())} ${t.getUTCFullYear()}`;
}

/** SOP classes proposed in the presentation contexts (reference §2.3). */
export const SOP = {
  ct: '1.2.840.10008.5.1.4.1.1.2',
  mr: '1.2.840.10008.5.1.4.1.1.4',
  cr: '1.2.840.10008.5.1.4.1.1.1',
  us: '1.2.840.10008.5.1.4.1.1.6.1',
  sc: '1.2.840.10008.5.1.4.1.1.7',
  verify: '1.2.840.10008.1.1',
  patientRootFind: '1.2.840.10008.5.1.4.1.2.1.1',
  patientRootMove: '1.2.840.10008.5.1.4.1.2.1.2',
  studyRootFind: '1.2.840.10008.5.1.4.1.2.2.1',
  studyRootMove: '1.2.840.10008.5.1.4.1.2.2.2',
} as const;
