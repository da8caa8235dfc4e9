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

/**
 * Display name of a file inside a folder given on the command line: the folder as given, `/`
 * separators. The current folder (`.`, the default) adds no prefix, so running in the Conquest
 * folder gives `logs/logs_20240311.zip!serverstatus.log` as in the event contract.
 */
export function joinDisplay(base: string, ...rest: string[]): string {
  const d = displayName(base);
  if (/^(\.\/*)+$/.test(d)) return rest.join('/');
  if (/^\/+$/.test(d)) return '/' + rest.join('/'); // the root folder
  if (/^[A-Za-z]:\/*$/.test(d)) return d.slice(0, 2) + '/' + rest.join('/'); // a drive root, C:/
  return [d.replace(/\/+$/, ''), ...rest].join('/');
}

function itemFor(p: string, name: string): InputItem {
  const lower = p.toLowerCase();
  if (lower.endsWith('.zip')) return { type: 'zip', name, path: p };
  if (lower.endsWith('.gz')) return { type: 'gzip', name, path: p };
  return { type: 'file', name, path: p };
}

/** Order of log archives: by the date in `logs_YYYYMMDD.zip`, then by name; other names after dated ones. */
export function zipOrder(a: string, b: string): number {
  const da = ZIP_NAME.exec(a)?.[1] ?? '~' + a;
  const db = ZIP_NAME.exec(b)?.[1] ?? '~' + b;
  return da < db ? -1 : da > db ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

/** Regular files of a folder (symbolic links followed); a folder that cannot be listed is reported. */
async function listDir(dir: string, display: string, onProblem: ProblemSink | null): Promise<string[]> {
  let entries;
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (onProblem && code !== 'ENOENT' && code !== 'ENOTDIR') onProblem({ source: display, message: `cannot list folder (${code ?? String(err)})` });
    return [];
  }
  const out: string[] = [];
  for (const d of entries) {
    if (d.isFile()) out.push(d.name);
    else if (d.isSymbolicLink()) {
      try {
        if ((await fsp.stat(path.join(dir, d.name))).isFile()) out.push(d.name);
      } catch {
        /* dangling link */
      }
    }
  }
  return out;
}

async function resolveFolder(dir: string, given: string, out: Resolved, onProblem: ProblemSink): Promise<void> {
  const logsDir = path.join(dir, 'logs');
  const files = await listDir(dir, displayName(given), onProblem);
  const taken = new Set<string>();
  // Archives: logs/logs_YYYYMMDD.zip, or in the server folder itself when logs/ did not exist when the
  // GUI zipped (reference §1.7); all of them in one date order, before the live logs.
  const archives = [
    ...(await listDir(logsDir, joinDisplay(given, 'logs'), onProblem))
      .filter((n) => /\.(zip|gz)$/i.test(n))
      .map((n) => ({ n, top: false, p: path.join(logsDir, n), d: joinDisplay(given, 'logs', n) })),
    ...files.filter((f) => /\.(zip|gz)$/i.test(f)).map((n) => ({ n, top: true, p: path.join(dir, n), d: joinDisplay(given, n) })),
  ].sort((a, b) => zipOrder(a.n, b.n) || (a.d < b.d ? -1 : a.d > b.d ? 1 : 0));
  for (const a of archives) {
    out.items.push(itemFor(a.p, a.d));
    if (a.top) taken.add(a.n);
  }
  const byLower = new Map(files.map((f) => [f.toLowerCase(), f]));
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
  if (ini) addIni(out, joinDisplay(given, ini), path.join(dir, ini));
}

function addIni(out: Resolved, name: string, p: string): void {
  const key = path.resolve(p);
  if (!out.iniFiles.some((f) => path.resolve(f.path) === key)) out.iniFiles.push({ name, path: p });
}

/** Subfolders looked into for the hint of an empty folder, at most (a Conquest data folder has thousands). */
const MAX_HINT_SUBFOLDERS = 20;
/** Subfolders named in the hint, at most. */
const MAX_HINT_NAMES = 6;

/** The names of a folder's subfolders that hold logs cqlog would read (the first MAX_HINT_SUBFOLDERS looked at). */
async function subfoldersWithLogs(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const names = entries
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .slice(0, MAX_HINT_SUBFOLDERS);
  const found: string[] = [];
  for (const n of names) {
    const probe: Resolved = { items: [], iniFiles: [] };
    await resolveFolder(path.join(dir, n), path.join(dir, n), probe, () => {});
    if (probe.items.length > 0) found.push(n);
  }
  return found.length > MAX_HINT_NAMES ? [...found.slice(0, MAX_HINT_NAMES), '…'] : found;
}

export async function resolveInputs(paths: string[], onProblem: ProblemSink): Promise<Resolved> {
  const out: Resolved = { items: [], iniFiles: [] };
  for (const asGiven of paths) {
    if (asGiven === '-') {
      out.items.push({ type: 'stdin', name: '-' });
      continue;
    }
    let given = asGiven;
    let st;
    try {
      st = await fsp.stat(given);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A Windows path pasted on Linux or macOS (`logs\serverstatus.log`): `\` is a file-name
      // character there, so read it with `/` when that names something.
      const slashed = process.platform !== 'win32' && given.includes('\\') ? given.replace(/\\/g, '/') : null;
      st = slashed !== null ? await fsp.stat(slashed).catch(() => undefined) : undefined;
      if (st === undefined || slashed === null) {
        onProblem({ source: displayName(given), message: code === 'ENOENT' ? 'no such file or folder' : `cannot read (${code ?? String(err)})` });
        continue;
      }
      given = slashed;
    }
    if (st.isDirectory()) {
      const before = out.items.length;
      await resolveFolder(given, given, out, onProblem);
      if (out.items.length === before) {
        // Pointed one level too high (at a folder holding several Conquest installs, say): name them.
        const subs = await subfoldersWithLogs(given);
        const hint =
          subs.length === 0 ? ''
          : subs.length === 1 ? `; its subfolder ${subs[0]} does: name it to read it`
          : `; its subfolders ${subs.join(', ')} do: name them to read them`;
        onProblem({ source: displayName(given), message: `folder holds no serverstatus.log, *.log or logs/*.zip${hint}` });
      }
    } else {
      out.items.push(itemFor(given, displayName(given)));
      if (path.basename(given).toLowerCase() === 'serverstatus.log') {
        // A live log given alone: its dicom.ini tells whether the server is a virtual server.
        const ini = path.join(path.dirname(given), 'dicom.ini');
        try {
          await fsp.access(ini);
          addIni(out, joinDisplay(path.dirname(given), path.basename(ini)), ini);
        } catch {
          /* no ini beside it */
        }
      }
    }
  }
  return dropRepeatedFiles(out, onProblem);
}

/**
 * A file named twice (a folder and a log inside it, the same folder twice, a link) is read once:
 * read twice it would count every refusal twice. The later mention is reported and dropped.
 */
async function dropRepeatedFiles(out: Resolved, onProblem: ProblemSink): Promise<Resolved> {
  const first = new Map<string, string>();
  const items: InputItem[] = [];
  for (const item of out.items) {
    if (item.type === 'stdin') {
      items.push(item);
      continue;
    }
    let key: string;
    try {
      key = await fsp.realpath(item.path);
    } catch {
      key = path.resolve(item.path);
    }
    if (process.platform === 'win32' || process.platform === 'darwin') key = key.toLowerCase();
    const earlier = first.get(key);
    if (earlier !== undefined) {
      onProblem({ source: item.name, message: `the same file as ${earlier}, given again: read once` });
      continue;
    }
    first.set(key, item.name);
    items.push(item);
  }
  return { ...out, items };
}
