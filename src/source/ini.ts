/** Reads the few dicom.ini keys cqlog needs. Keys are case-insensitive in Conquest (reference §1.7). */
import type { ConquestConfig } from './types.js';

export function parseDicomIni(text: string, source: string): ConquestConfig {
  const cfg: ConquestConfig = {
    source,
    myAe: null,
    pacsName: null,
    virtualServers: [],
    magDevices: [],
    fileNameSyntax: null,
    zipTime: null,
  };
  const vs: [number, string][] = [];
  const mags: [number, string][] = [];
  // Conquest reads its settings from the [sscscp] section; keys before any section count too.
  let inServer = true;
  for (const rawLine of text.replace(/^(\uFEFF|\u00EF\u00BB\u00BF)/, '').split(/\r?\n|\r/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      inServer = /^\[\s*sscscp\s*\]/i.test(line);
      continue;
    }
    if (!inServer) continue;
    const eq = line.indexOf('=');
    if (eq === -1) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    let m: RegExpExecArray | null;
    if (key === 'myacrnema') cfg.myAe = value;
    else if (key === 'pacsname') cfg.pacsName = value;
    else if (key === 'filenamesyntax') cfg.fileNameSyntax = value;
    else if (key === 'ziptime') cfg.zipTime = value;
    else if ((m = /^virtualserverfor(\d)$/.exec(key)) && value !== '') vs.push([Number(m[1]), value.split(',')[0]!.trim()]);
    else if ((m = /^magdevice(\d+)$/.exec(key)) && value !== '') mags.push([Number(m[1]), value]);
  }
  vs.sort((a, b) => a[0] - b[0]);
  cfg.virtualServers = vs.map((x) => x[1]);
  cfg.virtualServerSlots = vs.map((x) => x[0]);
  cfg.magDevices = mags.sort((a, b) => a[0] - b[0]).map((x) => x[1]);
  return cfg;
}
