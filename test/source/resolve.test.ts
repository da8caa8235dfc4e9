/** resolveInputs: what a path given to a command resolves to, in which order, with which names. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { joinDisplay, resolveInputs, zipOrder } from '../../src/source/resolve.js';
import { displayName } from '../../src/source/types.js';
import type { InputProblem } from '../../src/parse/event.js';
import { REAL } from '../helpers.js';

let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cqlog-resolve-'));
  const srv = path.join(tmp, 'conquest');
  mkdirSync(path.join(srv, 'logs'), { recursive: true });
  for (const f of ['serverstatus.log', 'PacsTrouble.log', 'PacsUser.log', 'maintenance.log', 'dicom.ini', 'acrnema.map', 'notes.txt']) {
    writeFileSync(path.join(srv, f), 'x\n');
  }
  // Written out of order; a zip the GUI put in the server folder because logs/ did not exist then.
  for (const z of ['logs_20240312.zip', 'logs_20231231.zip', 'logs_20240101.zip', 'other.zip', 'readme.txt']) writeFileSync(path.join(srv, 'logs', z), '');
  writeFileSync(path.join(srv, 'logs_20240102.zip'), '');
  // A folder that is no Conquest folder: only some *.log and other files.
  const plain = path.join(tmp, 'plain');
  mkdirSync(plain);
  for (const f of ['b.log', 'a.LOG', 'c.txt']) writeFileSync(path.join(plain, f), 'x\n');
  mkdirSync(path.join(tmp, 'empty'));
  writeFileSync(path.join(tmp, 'x.gz'), '');
  writeFileSync(path.join(tmp, 'Y.ZIP'), '');
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function resolve(paths: string[]) {
  const problems: InputProblem[] = [];
  const r = await resolveInputs(paths, (p) => problems.push(p));
  return { ...r, problems, names: r.items.map((i) => `${i.type} ${i.name}`) };
}

describe('resolveInputs', () => {
  it('reads a Conquest folder: archives in date order first, then serverstatus, PacsTrouble, PacsUser, other logs; dicom.ini noted', async () => {
    const given = path.join(tmp, 'conquest');
    const r = await resolve([given]);
    const g = displayName(given);
    expect(r.names).toEqual([
      `zip ${g}/logs/logs_20231231.zip`,
      `zip ${g}/logs/logs_20240101.zip`,
      `zip ${g}/logs_20240102.zip`,
      `zip ${g}/logs/logs_20240312.zip`,
      `zip ${g}/logs/other.zip`,
      `file ${g}/serverstatus.log`,
      `file ${g}/PacsTrouble.log`,
      `file ${g}/PacsUser.log`,
      `file ${g}/maintenance.log`,
    ]);
    expect(r.iniFiles).toEqual([{ name: `${g}/dicom.ini`, path: path.join(given, 'dicom.ini') }]);
    expect(r.problems).toEqual([]);
  });

  it('reads a file given twice (a folder and a log in it, a folder twice, another spelling) once, and says so', async () => {
    const given = path.join(tmp, 'plain');
    const r = await resolve([given, path.join(given, 'b.log'), path.join(tmp, 'plain', '..', 'plain')]);
    const g = displayName(given);
    expect(r.names).toEqual([`file ${g}/a.LOG`, `file ${g}/b.log`]);
    expect(r.problems).toHaveLength(3);
    expect(r.problems[0]).toMatchObject({ source: displayName(path.join(given, 'b.log')), message: `the same file as ${g}/b.log, given again: read once` });
  });

  it.skipIf(process.platform === 'win32')('reads a Windows path pasted on POSIX (backslashes) when the slashed path exists', async () => {
    const r = await resolve([path.join(tmp, 'plain') + '\\b.log', path.join(tmp, 'plain') + '\\nope.log']);
    expect(r.names).toEqual([`file ${displayName(path.join(tmp, 'plain', 'b.log'))}`]);
    expect(r.problems).toEqual([{ source: displayName(path.join(tmp, 'plain', 'nope.log')), message: 'no such file or folder' }]);
  });

  it('names files of the current folder without a ./ prefix, as in the event contract', async () => {
    const cwd = process.cwd();
    process.chdir(path.join(tmp, 'conquest'));
    try {
      const r = await resolve(['.']);
      expect(r.names[0]).toBe('zip logs/logs_20231231.zip');
      expect(r.names).toContain('file serverstatus.log');
      expect(r.iniFiles.map((f) => f.name)).toEqual(['dicom.ini']);
      const s = await resolve(['./']);
      expect(s.names).toEqual(r.names);
    } finally {
      process.chdir(cwd);
    }
  });

  it('keeps the folder as given, with one / and no trailing one', async () => {
    const r = await resolve([path.join(tmp, 'plain') + path.sep]);
    const g = displayName(path.join(tmp, 'plain'));
    expect(r.names).toEqual([`file ${g}/a.LOG`, `file ${g}/b.log`]);
    expect(r.iniFiles).toEqual([]);
  });

  it('reports a folder with nothing to read, and a missing path, and goes on', async () => {
    const r = await resolve([path.join(tmp, 'empty'), path.join(tmp, 'missing.log'), path.join(tmp, 'x.gz')]);
    expect(r.names).toEqual([`gzip ${displayName(path.join(tmp, 'x.gz'))}`]);
    expect(r.problems.map((p) => [p.source, p.message])).toEqual([
      [displayName(path.join(tmp, 'empty')), expect.stringMatching(/holds no/)],
      [displayName(path.join(tmp, 'missing.log')), 'no such file or folder'],
    ]);
  });

  it('names the subfolders that hold logs when a folder holding several installs is given, and reads none of them', async () => {
    const site = path.join(tmp, 'site');
    for (const [sub, file] of [['router', 'serverstatus.log'], ['mainpacs', 'logs/logs_20240101.zip'], ['data', 'x.dcm'], ['notes', 'readme.txt']] as const) {
      mkdirSync(path.dirname(path.join(site, sub, file)), { recursive: true });
      writeFileSync(path.join(site, sub, file), '');
    }
    const r = await resolve([site, path.join(site, 'data')]);
    expect(r.items).toEqual([]);
    expect(r.problems.map((p) => p.message)).toEqual([
      'folder holds no serverstatus.log, *.log or logs/*.zip; its subfolders mainpacs, router do: name them to read them',
      'folder holds no serverstatus.log, *.log or logs/*.zip',
    ]);
    const real = await resolve([path.join(REAL, 's6-zip-rotation')]);
    expect(real.problems.map((p) => p.message)).toEqual(['folder holds no serverstatus.log, *.log or logs/*.zip; its subfolder router does: name it to read it']);
  });

  it('takes files by their extension, case-insensitively, and - as stdin, in the order given', async () => {
    const r = await resolve([path.join(tmp, 'Y.ZIP'), '-', path.join(tmp, 'plain', 'c.txt')]);
    expect(r.items.map((i) => i.type)).toEqual(['zip', 'stdin', 'file']);
    expect(r.items[1]!.name).toBe('-');
  });

  it('notes the dicom.ini beside a serverstatus.log given alone, once', async () => {
    const live = path.join(tmp, 'conquest', 'serverstatus.log');
    const r = await resolve([live, path.join(tmp, 'conquest')]);
    expect(r.iniFiles.map((f) => f.name)).toEqual([`${displayName(path.join(tmp, 'conquest'))}/dicom.ini`]);
  });

  it('reads the genuine s6-zip-rotation folder: the zip, then the live logs; its dicom.ini', async () => {
    const given = path.join(REAL, 's6-zip-rotation', 'router');
    const r = await resolve([given]);
    const g = displayName(given);
    expect(r.names).toEqual([`zip ${g}/logs/logs_20261127.zip`, `file ${g}/serverstatus.log`, `file ${g}/PacsUser.log`]);
    expect(r.iniFiles.map((f) => f.name)).toEqual([`${g}/dicom.ini`]);
  });
});

describe('display names', () => {
  it('shows Windows paths with /', () => {
    expect(displayName('D:\\conquest\\logs\\logs_20240311.zip')).toBe('D:/conquest/logs/logs_20240311.zip');
    expect(joinDisplay('D:\\conquest\\', 'logs', 'logs_20240311.zip')).toBe('D:/conquest/logs/logs_20240311.zip');
    expect(joinDisplay('D:\\', 'serverstatus.log')).toBe('D:/serverstatus.log');
    expect(joinDisplay('.\\', 'serverstatus.log')).toBe('serverstatus.log');
    expect(joinDisplay('/', 'serverstatus.log')).toBe('/serverstatus.log');
    expect(joinDisplay('../srv//', 'logs', 'a.zip')).toBe('../srv/logs/a.zip');
    expect(joinDisplay('\\\\server\\share\\conquest', 'dicom.ini')).toBe('//server/share/conquest/dicom.ini');
  });

  it('orders dated archives by date, then undated ones by name', () => {
    expect(['logs_20240312.zip', 'b.zip', 'LOGS_20231231.ZIP', 'a.zip', 'logs_20240101.zip'].sort(zipOrder)).toEqual([
      'LOGS_20231231.ZIP',
      'logs_20240101.zip',
      'logs_20240312.zip',
      'a.zip',
      'b.zip',
    ]);
  });
});
