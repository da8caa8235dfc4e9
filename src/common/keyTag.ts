/**
 * A cheap number that differs for most different keys (patient folders, series UIDs): their
 * length and last two characters, where one site's keys usually differ. Comparing two strings of
 * the same length that are not the same object costs a call into V8 (about 30 instructions) even
 * when they differ at once; the short lists searched for every `Written file` line compare the
 * tags first, so a miss costs one integer compare. Equal tags still need the string compare.
 */
export function keyTag(s: string): number {
  const n = s.length;
  // charCodeAt past either end gives NaN, which `|` and `<<` read as 0.
  return (n << 16) | (s.charCodeAt(n - 1) << 8) | s.charCodeAt(n - 2);
}
