/** The bundled incident sample: it exists, is what make-incident produces, and parses fully. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BSN, buildIncident, REAL_ID, STUDY_UID, writeIncident, ZIP_NAME } from '../../src/tools/make-incident.js';
import { ndjson, runCli, SAMPLES } from '../helpers.js';

const DIR = path.join(SAMPLES, 'incident');
const NAME = 'samples/incident';

interface Ev {
  source: string;
  line: number;
  time: string | null;
  kind: string;
  text: string;
  fields: Record<string, unknown>;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cqlog-incident-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('samples/incident', () => {
  it('has the install folder files', () => {
    for (const f of ['serverstatus.log', 'PacsTrouble.log', 'PacsUser.log', 'dicom.ini', 'README.md', `logs/${ZIP_NAME}`]) {
      expect(existsSync(path.join(DIR, f)), f).toBe(true);
    }
    const ini = readFileSync(path.join(DIR, 'dicom.ini'), 'latin1');
    expect(ini).toMatch(/^MyACRNema\s+= ROUTER$/m);
    expect(ini).toMatch(/^VirtualServerFor0\s+= MAINPACS$/m);
    expect(ini).toMatch(/^FileNameSyntax\s+= 4$/m);
    expect(ini).toMatch(/^ZipTime\s+= 05:$/m);
  });

  it('is exactly what make-incident generates (deterministic, byte for byte)', async () => {
    const out = path.join(tmp, 'incident');
    await writeIncident(out);
    for (const f of ['serverstatus.log', 'PacsTrouble.log', 'PacsUser.log', 'dicom.ini', 'acrnema.map', 'README.md', `logs/${ZIP_NAME}`]) {
      expect(readFileSync(path.join(out, f)).equals(readFileSync(path.join(DIR, f))), f).toBe(true);
    }
  });

  it('parses every line to a specific kind, the zip entries first', () => {
    const r = runCli(['stats', NAME, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { unknown: number; byKind: Record<string, number>; sources: { source: string; lines: number; unknown: number }[]; problems: unknown[] };
    expect(s.unknown).toBe(0);
    expect(s.byKind.error).toBeUndefined();
    expect(s.problems).toEqual([]);
    expect(s.sources.map((x) => x.source)).toEqual([
      `${NAME}/logs/${ZIP_NAME}!serverstatus.log`,
      `${NAME}/logs/${ZIP_NAME}!PacsTrouble.log`,
      `${NAME}/logs/${ZIP_NAME}!PacsUser.log`,
      `${NAME}/serverstatus.log`,
      `${NAME}/PacsTrouble.log`,
      `${NAME}/PacsUser.log`,
    ]);
    expect(s.sources.every((x) => x.lines > 0)).toBe(true);
  });

  it('holds the failed retrieve in the zip and the refusals in the live logs', () => {
    const ev = ndjson<Ev>(runCli(['events', NAME, '--json']).stdout);
    const zipStatus = `${NAME}/logs/${ZIP_NAME}!serverstatus.log`;
    const liveStatus = `${NAME}/serverstatus.log`;
    const refusedHost = ev.filter((e) => e.kind === 'host-refused');
    expect(refusedHost).toHaveLength(1);
    expect(refusedHost[0]).toMatchObject({ source: zipStatus, time: '2026-11-26T16:42:07', fields: { host: 'WS2' } });
    const at = ev.indexOf(refusedHost[0]!);
    expect(ev.slice(at - 2, at + 4).map((e) => e.kind)).toEqual(['move-destination', 'images-to-send', 'host-refused', 'move-done', 'thread-end', 'thread-runtime']);
    expect(ev[at - 2]!.text).toBe('\tC-Move Destination: "WS2 "');
    expect(ev[at - 1]!.fields).toMatchObject({ count: 2 });

    // The BSN is in no normal-level line before the refusals (the virtual rows are debug-only).
    const firstRefusal = ev.findIndex((e) => e.kind === 'refused-link');
    expect(ev.slice(0, firstRefusal).some((e) => e.text.includes(BSN))).toBe(false);

    const refused = ev.filter((e) => e.kind === 'refused-link');
    expect(refused.filter((e) => e.source === liveStatus)).toHaveLength(5);
    expect(refused.filter((e) => e.source === `${NAME}/PacsTrouble.log`)).toHaveLength(5);
    for (const e of refused) {
      expect(e.fields).toMatchObject({ patientId: REAL_ID, old: BSN, refused: REAL_ID, table: 'DICOMStudies' });
      expect(e.text).toContain(STUDY_UID);
    }
    // The time token of each refused object's name is the time of its push.
    for (const e of ev.filter((x) => x.kind === 'sql-save-error' && x.source === liveStatus)) {
      const m = /_(\d{10})[0-9a-f]{4}\.dcm$/.exec(e.text);
      expect(new Date(Number(m![1]) * 1000).toISOString().slice(0, 19)).toBe(e.time);
    }
    expect(ev.filter((e) => e.kind === 'virtual-db-problem' && e.source === liveStatus)).toHaveLength(1);
    // PacsTrouble.log: the T-only name inconsistency comes before the first refusal.
    const trouble = ev.filter((e) => e.source === `${NAME}/PacsTrouble.log`);
    expect(trouble[0]!.kind).toBe('inconsistent');
    expect(trouble[1]!.kind).toBe('refused-link');
    // The live log starts with the rotation notice.
    expect(ev.find((e) => e.source === liveStatus)).toMatchObject({ kind: 'logs-zipped', time: '2026-11-27T05:00:01' });
    const users = ev.filter((e) => e.source === `${NAME}/PacsUser.log`).map((e) => e.text);
    expect(users).toContain('"C-Store","CT01            "');
  });

  it('keeps the story consistent in code', () => {
    const s = buildIncident();
    expect(new Date(s.failedMoveAt * 1000).toISOString()).toBe('2026-11-26T16:42:07.000Z');
    expect(s.firstRefusalAt).toBeGreaterThan(s.failedMoveAt);
    // The BSN passes the Dutch 11-check.
    const d = BSN.split('').map(Number);
    const sum = d.slice(0, 8).reduce((a, x, i) => a + x * (9 - i), 0) - d[8]!;
    expect(sum % 11).toBe(0);
  });
});
