/**
 * Resolves the paths given to a command into readable items (issue 2, item 2): log files, Conquest
 * install folders (archives first in date order, then the live logs; dicom.ini noted), zips, .gz, `-`.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ProblemSink } from '../parse/event.js';
import { displayName, type InputItem } from './types.js';

/** Live logs of a Conquest folder, in reading order (reference §1.4). */
const LIVE_LOGS = ['serverstatus.log', 'PacsTrouble.log', 'PacsUser.log'];
const ZIP_NAME = /^logs_(\d{8})\.zip$/i;

export interface Resolved {
  items: InputItem[];
  /** dicom.ini files found in folders given (zips are looked into when opened). */
  iniFiles: { name: string; path: string }[];
}

function joinDisplay(base: string, ...rest: string[]): string {
  const b = displayName(base).replace(/\/+$/, '');
  return [b === '' ? '.' : b, ...rest].join('/');
}

function itemFor(p: string, name: string): InputItem {
  const lower = p.toLowerCase();
  if (lower.endsWith('.zip')) return { type: 'zip', name, path: p };
  if (lower.endsWith('.gz')) return { type: 'gzip', name, path: p };
  return { type: 'file', name, path: p };
}

/** Sort key of a log archive: its date, then its name. */
function zipOrder(a: string, b: string): number {
  const da = ZIP_NAME.exec(a)?.[1] ?? a;
  const db = ZIP_NAME.exec(b)?.[1] ?? b;
  return da < db ? -1 : da > db ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await fsp.readdir(dir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
  } catch {
    return [];
  }
}

async function resolveFolder(dir: string, given: string, out: Resolved): Promise<void> {
  const logsDir = path.join(dir, 'logs');
  const archives = (await listDir(logsDir)).filter((n) => /\.(zip|gz)$/i.test(n)).sort(zipOrder);
  for (const a of archives) out.items.push(itemFor(path.join(logsDir, a), joinDisplay(given, 'logs', a)));
  const files = await listDir(dir);
  const byLower = new Map(files.map((f) => [f.toLowerCase(), f]));
  const taken = new Set<string>();
  const topArchives = files.filter((f) => /\.(zip|gz)$/i.test(f)).sort(zipOrder);
  for (const a of topArchives) {
    out.items.push(itemFor(path.join(dir, a), joinDisplay(given, a)));
    taken.add(a);
  }
  for (const live of LIVE_LOGS) {
    const f = byLower.get(live.toLowerCase());
    if (f) {
      out.items.push({ type: 'file', name: joinDisplay(given, f), path: path.join(dir, f) });
      taken.add(f);
    }
  }
  for (const f of files.filter((x) => /\.log$/i.test(x) && !taken.has(x)).sort()) {
    out.items.push({ type: 'file', name: joinDisplay(given, f), path: path.join(dir, f) });
  }
  const ini = byLower.get('dicom.ini');
  if (ini) out.iniFiles.push({ name: joinDisplay(given, ini), path: path.join(dir, ini) });
}

export async function resolveInputs(paths: string[], onProblem: ProblemSink): Promise<Resolved> {
  const out: Resolved = { items: [], iniFiles: [] };
  for (const given of paths) {
    if (given === '-') {
      out.items.push({ type: 'stdin', name: '-' });
      continue;
    }
    let st;
    try {
      st = await fsp.stat(given);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      onProblem({ source: displayName(given), message: code === 'ENOENT' ? 'no such file or folder' : `cannot read (${code ?? String(err)})` });
      continue;
    }
    if (st.isDirectory()) {
      const before = out.items.length;
      await resolveFolder(given, given, out);
      if (out.items.length === before) onProblem({ source: displayName(given), message: 'folder holds no serverstatus.log, *.log or logs/*.zip' });
    } else {
      out.items.push(itemFor(given, displayName(given)));
      if (path.basename(given).toLowerCase() === 'serverstatus.log') {
        // A live log given alone: its dicom.ini tells whether the server is a virtual server.
        const ini = path.join(path.dirname(given), 'dicom.ini');
        try {
          await fsp.access(ini);
          out.iniFiles.push({ name: displayName(ini), path: ini });
        } catch {
          /* no ini beside it */
        }
      }
    }
  }
  return out;
}
