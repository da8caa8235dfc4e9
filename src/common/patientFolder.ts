/**
 * The patient folder Conquest makes of a PatientID under FileNameSyntax 3/4, the default (reference §3,
 * "Cleanup of ID/name"): `/ \ ; > < | , . space : ? * "` become `_`, any other byte below 0x21 ends
 * the ID, it is capped at 65 characters, trailing `_` are stripped (empty becomes `unknown`), then it is
 * cut to 16. A refusal names the PatientID as sent (`AB.123`); its `Written file` lines name this
 * folder (`AB_123`), so looking an ID up among the folders needs both.
 */
const REPLACED = new Set(['/', '\\', ';', '>', '<', '|', ',', '.', ' ', ':', '?', '*', '"']);

export function patientFolderOf(id: string): string {
  let out = '';
  for (const ch of id) {
    if (REPLACED.has(ch)) out += '_';
    else if (ch.charCodeAt(0) < 0x21) break;
    else out += ch;
    if (out.length >= 65) break;
  }
  out = out.replace(/_+$/, '');
  if (out === '') out = 'unknown';
  return out.slice(0, 16);
}
