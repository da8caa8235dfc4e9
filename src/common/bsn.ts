/**
 * Dutch citizen service number (BSN) check (reference §4.3): 9 digits with
 * 9·d1 + 8·d2 + … + 2·d8 − d9 ≡ 0 (mod 11). Only 9-digit values are flagged: one in eleven
 * ordinary 8-digit IDs would pass a padded check, so 8-digit values never count.
 */
export function looksLikeBsn(value: string | null | undefined): boolean {
  if (!value || value.length !== 9 || !/^\d{9}$/.test(value) || value === '000000000') return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (9 - i) * (value.charCodeAt(i) - 48);
  sum -= value.charCodeAt(8) - 48;
  return sum % 11 === 0;
}
