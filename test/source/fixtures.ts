/** Test fixtures built at run time in a temp folder: zips (yazl), gzips (zlib), corruptions. */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import yazl from 'yazl';

export function tempDir(prefix = 'cqlog-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a zip of the given entries (deflated unless `store`). */
export function writeZip(file: string, entries: Record<string, string | Buffer>, store = false): Promise<void> {
  return new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    for (const [name, data] of Object.entries(entries)) z.addBuffer(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, name, { compress: !store });
    z.end();
    z.outputStream.pipe(createWriteStream(file)).on('close', resolve).on('error', reject);
  });
}

export function gzip(text: string | Buffer): Buffer {
  return gzipSync(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
}

/** Where an entry's data lies in a zip: after its local header, up to the next local or central header. */
export function entryDataRange(zip: Buffer, name: string): { start: number; end: number } {
  const at = zip.indexOf(Buffer.concat([Buffer.from('PK\x03\x04', 'latin1')]), 0);
  let pos = at;
  while (pos !== -1) {
    const nameLen = zip.readUInt16LE(pos + 26);
    const extraLen = zip.readUInt16LE(pos + 28);
    if (zip.toString('latin1', pos + 30, pos + 30 + nameLen) === name) {
      const start = pos + 30 + nameLen + extraLen;
      const next = [zip.indexOf('PK\x07\x08', start, 'latin1'), zip.indexOf('PK\x03\x04', start, 'latin1'), zip.indexOf('PK\x01\x02', start, 'latin1')].filter((n) => n !== -1);
      return { start, end: Math.min(...next) };
    }
    pos = zip.indexOf('PK\x03\x04', pos + 4, 'latin1');
  }
  throw new Error(`no entry ${name}`);
}

/** A dgate-like log of n lines, each distinct, with ctime stamps. */
export function dgateLog(n: number, tag: string, eol = '\n'): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = String(i % 60).padStart(2, '0');
    out.push(`Fri Nov 27 19:35:${s} 2026 Written file: /opt/conquest/data/${tag}/1.2.3.${i}_0001_000001_1795808112${String(i).padStart(4, '0')}.dcm`);
  }
  return out.join(eol) + eol;
}
