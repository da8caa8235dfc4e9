/** The forensic engine on logs shaped like reference §4.3 and §7: every cause, interleaving, resolution, bounds. */
import { describe, expect, it } from 'vitest';
import { ForensicEngine } from '../../src/correlate/engine.js';
import { DEFAULT_CONFIG } from '../../src/correlate/config.js';
import type { ConquestConfig } from '../../src/source/types.js';
import { BSN, HOSPITAL_ID, LogBuilder, SERIES, STUDY, eventsOf } from './logBuilder.js';

const VIRTUAL_INI: ConquestConfig = { source: 'dicom.ini', myAe: 'ROUTER', pacsName: 'ROUTER', virtualServers: ['MAINPACS'], magDevices: ['/opt/conquest/data/'], fileNameSyntax: '4', zipTime: '05:' };

function run(sources: [string, string][], ini = true): ForensicEngine {
  const engine = new ForensicEngine();
  if (ini) engine.addConfig(VIRTUAL_INI);
  for (const [name, text] of sources) for (const e of eventsOf(name, text)) engine.push(e);
  return engine;
}

function routineTraffic(b: LogBuilder): void {
  b.push('CT01', '10234567', 2, '1.2.3.4.5.6');
  b.tick(30).push('CT01', '10234568', 1, '1.2.3.4.5.7');
}

describe('collisions', () => {
  it('groups refusals per (table, key, Old, Refused) and counts a PacsTrouble.log copy within 2 s once', () => {
    const b = new LogBuilder(0).at('2026-11-27T09:00:00');
    const trouble = new LogBuilder(0);
    routineTraffic(b);
    b.tick(60).refusedPush('CT01', HOSPITAL_ID, BSN, 2, trouble);
    b.tick(30).refusedPush('CT01', HOSPITAL_ID, BSN, 2, trouble);
    const r = run([['router/serverstatus.log', b.text()], ['router/PacsTrouble.log', trouble.text()]]).result();
    expect(r.collisions).toHaveLength(1);
    const c = r.collisions[0]!;
    expect(c).toMatchObject({ table: 'DICOMStudies', column: 'PatientID', key: { column: 'StudyInsta', value: STUDY }, studyUid: STUDY, oldValue: BSN, refusedValue: HOSPITAL_ID, refusals: 4, oldLooksLikeBsn: true, refusedLooksLikeBsn: false });
    expect(c.seriesUids).toEqual([SERIES]);
    expect(c.firstSeen! < c.lastSeen!).toBe(true);
  });

  it('counts PacsTrouble.log refusals alone when serverstatus.log is not read', () => {
    const b = new LogBuilder(0).at('2026-11-27T09:00:00');
    const trouble = new LogBuilder(0);
    b.refusedPush('CT01', HOSPITAL_ID, BSN, 3, trouble);
    const r = run([['router/PacsTrouble.log', trouble.text()]]).result();
    expect(r.collisions[0]!.refusals).toBe(3);
  });

  it('keeps different Old values apart and reads long column names', () => {
    const b = new LogBuilder(0).at('2026-11-27T09:00:00');
    b.line(`***Refused to enter inconsistent link PatientID into DICOMStudies: PatientID = 'A1' StudyInstanceUID = '1.2.3', Old='B1', Refused='A1'`);
    b.line(`***Refused to enter inconsistent link PatientID into DICOMStudies: PatientID = 'A1' StudyInstanceUID = '1.2.3', Old='C1', Refused='A1'`);
    const r = run([['s.log', b.text()]]).result();
    expect(r.collisions.map((c) => c.oldValue).sort()).toEqual(['B1', 'C1']);
    expect(r.collisions[0]!.key.column).toBe('StudyInstanceUID');
  });
});

describe('causes', () => {
  it('phantom-from-failed-retrieve, high: debug lines name Old on the virtual device', () => {
    const b = new LogBuilder(0).at('2026-11-26T16:42:00');
    routineTraffic(b);
    b.tick(5).failedMove('WS1', 'WS2', 2, BSN);
    b.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 2);
    const c = run([['router/serverstatus.log', b.text()]]).result().collisions[0]!;
    expect(c.cause).toBe('phantom-from-failed-retrieve');
    expect(c.confidence).toBe('high');
    expect(c.evidence.some((e) => e.kind === 'host-refused' && e.text.includes("'WS2'"))).toBe(true);
    expect(c.evidence.some((e) => e.kind === 'virtual-row-added')).toBe(true);
    expect(c.explanation).toContain('WS1');
    expect(c.explanation).toMatch(/BSN/);
    expect(c.explanation).toContain('8 digits');
  });

  it('phantom-from-failed-retrieve, medium: a refused delivery of N>0 images precedes and Old never had a file', () => {
    const b = new LogBuilder(0).at('2026-11-26T16:42:00');
    routineTraffic(b);
    b.tick(5).failedMove('WS1', 'WS2', 2);
    b.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 2);
    const c = run([['router/serverstatus.log', b.text()]]).result().collisions[0]!;
    expect(c).toMatchObject({ cause: 'phantom-from-failed-retrieve', confidence: 'medium' });
    const move = c.evidence.filter((e) => e.role?.startsWith('failed retrieve'));
    expect(move.map((e) => e.kind)).toEqual(['move-destination', 'images-to-send', 'host-refused', 'move-done']);
  });

  it('phantom with the root cause in yesterday\'s zip and the refusals in today\'s log', () => {
    const zip = new LogBuilder(0).at('2026-11-26T16:42:00');
    zip.failedMove('WS1', 'WS2', 2);
    const live = new LogBuilder(0).at('2026-11-27T05:00:01');
    live.line('Dgate zipped todays log files as: /opt/conquest/logs/logs_20261126.zip');
    live.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 2);
    const c = run([
      ['router/logs/logs_20261126.zip!serverstatus.log', zip.text()],
      ['router/serverstatus.log', live.text()],
    ]).result().collisions[0]!;
    expect(c.cause).toBe('phantom-from-failed-retrieve');
    expect(c.evidence.find((e) => e.kind === 'host-refused')!.source).toBe('router/logs/logs_20261126.zip!serverstatus.log');
  });

  it('a failed move with zero images or an unknown destination makes no rows and explains nothing', () => {
    const b = new LogBuilder(0).at('2026-11-26T16:42:00');
    b.failedMove('WS1', 'WS2', 0);
    b.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 1);
    const r = run([['router/serverstatus.log', b.text()]]).result();
    expect(r.collisions[0]!.cause).toBe('unexplained');
    expect(r.warnings).toHaveLength(0);
  });

  it('patient-id-changed-at-source: the same series was written under Old before', () => {
    const b = new LogBuilder(0).at('2026-11-20T10:00:00');
    b.push('CT01', 'OLD1234', 2, SERIES);
    b.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, 'OLD1234', 2);
    const c = run([['router/serverstatus.log', b.text()]]).result().collisions[0]!;
    expect(c).toMatchObject({ cause: 'patient-id-changed-at-source', confidence: 'high' });
    expect(c.evidence[0]!.kind).toBe('written-file');
  });

  it.each([
    ['AB.123', 'AB_123'],
    ['AB 123', 'AB_123'],
    ['1234567890123456789', '1234567890123456'],
  ])('patient-id-changed-at-source: Old %j was written under the folder Conquest made of it (%s)', (old, folder) => {
    const b = new LogBuilder(0).at('2026-11-20T10:00:00');
    b.push('CT01', folder, 2, SERIES);
    b.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, old, 2);
    const c = run([['router/serverstatus.log', b.text()]]).result().collisions[0]!;
    expect(c).toMatchObject({ oldValue: old, cause: 'patient-id-changed-at-source', confidence: 'high' });
    expect(c.evidence[0]!.text).toContain(`${folder}/`);
  });

  it('counts every file written under Old when pushes interleave and the series map evicts', () => {
    const b = new LogBuilder(0).at('2026-11-20T10:00:00');
    const n = b.start('CT01', ['1.2.840.10008.5.1.4.1.1.2']);
    // 9 files under OLD1234 over three series, interleaved with other patients; a series map of 2
    // entries evicts all along, so no remembered record may outlive its map entry.
    let old = 0;
    for (let i = 0; i < 9; i++) {
      b.line(`Written file: /opt/conquest/data/${b.fileName('OLD1234', `1.2.3.${i % 3}`, i + 1)}`);
      old++;
      b.line(`Written file: /opt/conquest/data/${b.fileName(`OTHER${i % 4}`, `1.2.4.${i % 5}`, i + 1)}`);
      if (i % 2 === 0) b.line(`Written file: /opt/conquest/data/${b.fileName('OLD1234', `1.2.3.${i % 3}`, i + 50)}`), old++;
    }
    b.end(n);
    b.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, 'OLD1234', 1);
    for (const maxWrittenSeries of [2, 50_000]) {
      const engine = new ForensicEngine({ ...DEFAULT_CONFIG, maxWrittenSeries });
      for (const e of eventsOf('router/serverstatus.log', b.text())) engine.push(e);
      const c = engine.result().collisions[0]!;
      expect(c).toMatchObject({ cause: 'patient-id-changed-at-source', confidence: 'medium' });
      expect(c.explanation).toContain(`${old} objects were stored under PatientID 'OLD1234'`);
    }
  });

  it('series-reused-across-studies and image-moved-across-series for the series and image links', () => {
    const b = new LogBuilder(0).at('2026-11-27T09:00:00');
    b.line(`***Refused to enter inconsistent link StudyInstanceUID into DICOMSeries: PatientID = 'P1' SeriesInstanceUID = '1.2.3' AND SeriesPat = 'P1', Old='1.2.9', Refused='1.2.8'`);
    b.line(`***Refused to enter inconsistent link SeriesInst into DICOMImages: PatientID = 'P1' SOPInstanc = '1.2.3.4' AND ImagePat = 'P1', Old='1.2.5', Refused='1.2.6'`);
    const r = run([['s.log', b.text()]]).result();
    const byTable = Object.fromEntries(r.collisions.map((c) => [c.table, c]));
    expect(byTable.DICOMSeries).toMatchObject({ cause: 'series-reused-across-studies', key: { column: 'SeriesInstanceUID', value: '1.2.3' }, studyUid: '1.2.8' });
    expect(byTable.DICOMImages).toMatchObject({ cause: 'image-moved-across-series', key: { column: 'SOPInstanc', value: '1.2.3.4' }, studyUid: null });
  });

  it('unexplained: says which logs or debug level would settle it', () => {
    const b = new LogBuilder(0).at('2026-11-27T09:14:00');
    b.refusedPush('CT01', HOSPITAL_ID, 'X999', 1);
    const c = run([['router/serverstatus.log', b.text()]]).result().collisions[0]!;
    expect(c.cause).toBe('unexplained');
    expect(c.confidence).toBe('low');
    expect(c.explanation).toMatch(/older logs/);
    expect(c.explanation).toMatch(/debuglog_on/);
  });
});

describe('resolution', () => {
  it('reports resolvedAt when a later retrieve cleans the phantom rows up (§7)', () => {
    const b = new LogBuilder(0).at('2026-11-26T16:42:00');
    b.failedMove('WS1', 'WS2', 2);
    b.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 2);
    b.at('2026-11-27T10:00:00').cleanupMove('WS1', BSN, 2);
    b.at('2026-11-27T10:05:00').push('CT01', HOSPITAL_ID, 2, SERIES);
    const c = run([['router/serverstatus.log', b.text()]]).result().collisions[0]!;
    expect(c.cause).toBe('phantom-from-failed-retrieve');
    expect(c.confidence).toBe('high'); // `missing file: MAG0.0 <Old>/…` names Old on the virtual device
    expect(c.resolvedAt).toBe('2026-11-27T10:00:00');
    expect(c.resolvedHow).toMatch(/deleted/);
  });

  it('a refusal after the clean-up means the collision is not resolved', () => {
    const b = new LogBuilder(0).at('2026-11-26T16:42:00');
    b.failedMove('WS1', 'WS2', 2);
    b.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 1);
    b.at('2026-11-27T10:00:00').cleanupMove('WS1', BSN, 1);
    b.at('2026-11-27T11:00:00').refusedPush('CT01', HOSPITAL_ID, BSN, 1);
    expect(run([['router/serverstatus.log', b.text()]]).result().collisions[0]!.resolvedAt).toBeNull();
  });

  it('orders --tz times by instant across the DST fold: a refusal in the repeated hour is after a clean-up in the first', () => {
    const b = new LogBuilder(0).at('2026-10-24T16:42:00');
    b.failedMove('WS1', 'WS2', 2);
    b.at('2026-10-25T02:50:00').refusedPush('CT01', HOSPITAL_ID, BSN, 1); // 02:50 summer time
    b.at('2026-10-25T02:55:00').cleanupMove('WS1', BSN, 1);
    b.at('2026-10-25T02:10:00').refusedPush('CT01', HOSPITAL_ID, BSN, 1); // 02:10 winter time, 20 minutes later
    const engine = new ForensicEngine();
    engine.addConfig(VIRTUAL_INI);
    for (const e of eventsOf('router/serverstatus.log', b.text(), { tz: 'Europe/Amsterdam' })) engine.push(e);
    const c = engine.result().collisions[0]!;
    expect(c.firstSeen).toBe('2026-10-25T02:50:00+02:00');
    expect(c.lastSeen).toBe('2026-10-25T02:10:00+01:00');
    expect(c.resolvedAt).toBeNull();
  });
});

describe('correlation', () => {
  it('attributes interleaved threads by what each association is doing', () => {
    const b = new LogBuilder(0).at('2026-11-26T16:42:00');
    const move = b.start('WS1', ['1.2.840.10008.5.1.4.1.2.1.1', '1.2.840.10008.5.1.4.1.2.1.2']);
    const push = b.start('CT01', ['1.2.840.10008.5.1.4.1.1.2']);
    b.line('\tC-Move Destination: "WS2 "');
    b.line(`Written file: /opt/conquest/data/${b.fileName('10234567', '1.2.3.9')}`);
    b.line('Number of images to send: 3');
    b.line(`Written file: /opt/conquest/data/${b.fileName('10234567', '1.2.3.9', 2)}`);
    b.line("Host 'WS2' did not accept the connection").line('C-Move (PatientRoot)');
    b.end(push).end(move);
    const engine = run([['router/serverstatus.log', b.text()]]);
    const w = engine.result().warnings;
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ kind: 'phantom-risk', requestingAe: 'WS1', destinationAe: 'WS2', imageCount: 3 });
    expect(engine.notes().ambiguousLines).toBe(0);
  });

  it('says when the log cannot decide which association a line belongs to', () => {
    const b = new LogBuilder(0).at('2026-11-26T16:42:00');
    b.start('CT01', ['1.2.840.10008.5.1.4.1.1.2']);
    b.start('CT02', ['1.2.840.10008.5.1.4.1.1.2']);
    // Which of two pushes wrote a file changes no conclusion; who pushed a refused object does.
    b.line(`Written file: /opt/conquest/data/${b.fileName('10234567', '1.2.3.9')}`);
    expect(run([['s.log', b.text()]]).notes().ambiguousLines).toBe(0);
    b.line(`***Refused to enter inconsistent link PatientID into DICOMStudies: PatientID = 'A1' StudyInsta = '1.2.3', Old='B1', Refused='A1'`);
    expect(run([['s.log', b.text()]]).notes().ambiguousLines).toBe(1);
  });

  it('bounds open associations and flags the evicted ones', () => {
    const b = new LogBuilder(0).at('2026-11-26T16:42:00');
    for (let i = 0; i < DEFAULT_CONFIG.associations.maxOpen + 5; i++) b.start('CT01', ['1.2.840.10008.5.1.4.1.1.2']);
    expect(run([['s.log', b.text()]]).notes().evictedAssociations).toBe(5);
  });
});

describe('warnings', () => {
  it('phantom-risk needs a virtual server: dicom.ini or virtual-server lines', () => {
    const b = new LogBuilder(0).at('2026-11-26T16:42:00');
    b.failedMove('WS1', 'WS2', 2);
    expect(run([['r/serverstatus.log', b.text()]], false).result().warnings).toHaveLength(0);
    expect(run([['r/serverstatus.log', b.text()]], true).result().warnings).toHaveLength(1);
    b.line('Virtual server - collecting 1 missing objects from MAINPACS');
    expect(run([['r/serverstatus.log', b.text()]], false).result().warnings).toHaveLength(1);
  });

  it('names the patient folder and BSN flag when debug lines show it, and drops the warning after clean-up', () => {
    const b = new LogBuilder(0).at('2026-11-26T16:42:00');
    b.failedMove('WS1', 'WS2', 2, BSN);
    const w = run([['r/serverstatus.log', b.text()]]).result().warnings[0]!;
    expect(w).toMatchObject({ patientFolder: BSN, patientFolderLooksLikeBsn: true });
    b.at('2026-11-26T17:00:00').cleanupMove('WS1', BSN, 2);
    expect(run([['r/serverstatus.log', b.text()]]).result().warnings).toHaveLength(0);
  });

  it('a store under Old after the first refusal does not make the sender the cause', () => {
    const b = new LogBuilder(0).at('2026-11-26T16:42:00');
    b.failedMove('WS1', 'WS2', 2);
    b.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 2);
    b.at('2026-11-27T11:00:00').push('CT01', BSN, 1);
    const c = run([['r/serverstatus.log', b.text()]]).result().collisions[0]!;
    expect(c.cause).toBe('phantom-from-failed-retrieve');
    // …while a store under Old before the first refusal does.
    const b2 = new LogBuilder(0).at('2026-11-27T08:00:00');
    b2.push('CT01', BSN, 1);
    b2.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 2);
    expect(run([['r/serverstatus.log', b2.text()]]).result().collisions[0]!.cause).toBe('patient-id-changed-at-source');
  });

  it("another Conquest install read alongside (its own live log) cannot explain the router's refusal; copied archives can", () => {
    const router = new LogBuilder(0).at('2026-11-26T16:42:00');
    router.failedMove('WS1', 'WS2', 2);
    router.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 1);
    const upstream = new LogBuilder(0).at('2026-11-20T10:00:00').push('CT02', BSN, 2);
    const inputs = (names: string[]) => names.map((source) => ({ source, lines: 1, events: 1, unknown: 0, problems: 0 }));
    const both = run([['mainpacs/serverstatus.log', upstream.text()], ['router/serverstatus.log', router.text()]]);
    expect(both.result(inputs(['mainpacs/serverstatus.log', 'router/serverstatus.log'])).collisions[0]!.cause).toBe('phantom-from-failed-retrieve');
    // The same lines from an archive copied elsewhere belong to no other install: they still count.
    const copied = run([['backup/logs_20261120.zip!serverstatus.log', upstream.text()], ['router/serverstatus.log', router.text()]]);
    expect(copied.result(inputs(['backup/logs_20261120.zip!serverstatus.log', 'router/serverstatus.log'])).collisions[0]!.cause).toBe('patient-id-changed-at-source');
  });

  it('tells the installs apart from the sources it was fed, so tail and index (no input list) and a restored snapshot filter too', () => {
    const router = new LogBuilder(0).at('2026-11-26T16:42:00');
    router.failedMove('WS1', 'WS2', 2);
    router.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 1);
    const upstream = new LogBuilder(0).at('2026-11-20T10:00:00').push('CT02', BSN, 2);
    const both = run([['D:\\mainpacs\\serverstatus.log'.replace(/\\/g, '/'), upstream.text()], ['router/serverstatus.log', router.text()]]);
    expect(both.result().collisions[0]!.cause).toBe('phantom-from-failed-retrieve');
    expect(ForensicEngine.restore(JSON.parse(JSON.stringify(both.snapshot()))).result().collisions[0]!.cause).toBe('phantom-from-failed-retrieve');
    // A snapshot of an earlier version has no such list: it reads as before (no filter) instead of failing.
    const old = JSON.parse(JSON.stringify(both.snapshot())) as Record<string, unknown>;
    delete old.liveServers;
    expect(ForensicEngine.restore(old).result().collisions[0]!.cause).toBe('patient-id-changed-at-source');
  });

  it("gives each collision its own install's dicom.ini (its folder, or a zip of its logs), and none of another's", () => {
    const b = new LogBuilder(0).at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 1);
    const at = (source: string) => {
      const engine = new ForensicEngine();
      engine.addConfig({ ...VIRTUAL_INI, source: 'router/dicom.ini', myAe: 'RTR1' });
      for (const e of eventsOf(source, b.text())) engine.push(e);
      return engine.result().collisions[0]!.server;
    };
    expect(at('router/logs/logs_20261127.zip!serverstatus.log')).toEqual({ config: 'router/dicom.ini', myAe: 'RTR1', virtualServers: [{ slot: 0, ae: 'MAINPACS' }] });
    expect(at('mainpacs/serverstatus.log')).toBeNull();
    // The N of VirtualServerForN is kept (a state saved without it reads as 0, 1, …).
    const engine = new ForensicEngine();
    engine.addConfig({ ...VIRTUAL_INI, source: 'router/dicom.ini', virtualServerSlots: [2] });
    for (const e of eventsOf('router/serverstatus.log', b.text())) engine.push(e);
    expect(engine.result().collisions[0]!.server!.virtualServers).toEqual([{ slot: 2, ae: 'MAINPACS' }]);
  });

  it("another install's earlier write of the folder does not hide the router's own write under Old", () => {
    const upstream = new LogBuilder(0).at('2026-11-20T10:00:00').push('CT02', BSN, 2, '1.2.9.1');
    const router = new LogBuilder(0).at('2026-11-25T10:00:00').push('CT01', BSN, 1, '1.2.9.2');
    router.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 1);
    const r = run([['mainpacs/serverstatus.log', upstream.text()], ['router/serverstatus.log', router.text()]]).result();
    expect(r.collisions[0]!.cause).toBe('patient-id-changed-at-source');
    // The router's own line is the one cited, not the other install's.
    const cited = r.collisions[0]!.evidence.filter((x) => x.kind === 'written-file').map((x) => x.source);
    expect(cited).toContain('router/serverstatus.log');
    expect(cited).not.toContain('mainpacs/serverstatus.log');
  });

  it('a clock reset inside one log keeps file order: the failed move above the refusal still explains it', () => {
    const b = new LogBuilder(0).at('2026-11-27T10:50:00');
    b.failedMove('WS1', 'WS2', 2);
    b.at('2026-11-27T10:10:00').refusedPush('CT01', HOSPITAL_ID, BSN, 1); // the clock was set back 40 minutes
    const r = run([['r/serverstatus.log', b.text()]]).result();
    expect(r.collisions[0]!.cause).toBe('phantom-from-failed-retrieve');
    expect(r.warnings).toHaveLength(0);
    // …and a move below the refusal in that file does not, although its clock time is earlier.
    const later = new LogBuilder(0).at('2026-11-27T10:50:00');
    later.refusedPush('CT01', HOSPITAL_ID, BSN, 1);
    later.at('2026-11-27T10:10:00').failedMove('WS1', 'WS2', 2);
    expect(run([['r/serverstatus.log', later.text()]]).result().collisions[0]!.cause).toBe('unexplained');
  });

  it('a live log read again from its start (after the daily zip, in tail or index) is a new reading: its line numbers restart', () => {
    // Day 1: the failed move at line ~10 of serverstatus.log. Day 2, after the rotation, the refusal at
    // line ~5 of the new serverstatus.log: earlier by number, later in fact.
    const day1 = new LogBuilder(0).at('2026-11-26T16:42:00');
    for (let i = 0; i < 20; i++) day1.line('Server command: 12');
    day1.failedMove('WS1', 'WS2', 2);
    const day2 = new LogBuilder(0).at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 1);
    const engine = new ForensicEngine();
    engine.addConfig(VIRTUAL_INI);
    for (const e of eventsOf('r/serverstatus.log', day1.text())) engine.push(e);
    // A tail checkpoint between the two readings keeps what it knows of the first.
    const resumed = ForensicEngine.restore(JSON.parse(JSON.stringify(engine.snapshot())));
    const found = eventsOf('r/serverstatus.log', day2.text()).flatMap((e) => [...resumed.push(e)]);
    const alert = found.find((f) => f.type === 'collision');
    expect(alert?.type === 'collision' && alert.collision.cause).toBe('phantom-from-failed-retrieve');
    const r = resumed.result();
    expect(r.collisions[0]!.cause).toBe('phantom-from-failed-retrieve');
    expect(r.warnings).toHaveLength(0);
    // The readings stay apart in the evidence, each in its order, and nothing internal is printed.
    const ev = r.collisions[0]!.evidence;
    expect(ev.map((x) => x.kind)).toEqual(expect.arrayContaining(['host-refused', 'refused-link']));
    expect(ev.findIndex((x) => x.kind === 'host-refused')).toBeLessThan(ev.findIndex((x) => x.kind === 'refused-link'));
    expect(JSON.stringify(r)).not.toContain('"gen"');
  });

  it("a line of the next reading with the same number as a cited one is another line: its warning stays open, its store is cited", () => {
    const day1 = new LogBuilder(0).at('2026-11-26T16:42:00');
    day1.failedMove('WS1', 'WS2', 2);
    day1.at('2026-11-26T17:00:00').refusedPush('CT01', HOSPITAL_ID, BSN, 1);
    // Day 2 (the same file name after the zip): another failed move on the very same line numbers.
    const day2 = new LogBuilder(0).at('2026-11-27T08:00:00');
    day2.failedMove('WS1', 'WS2', 2);
    const engine = run([['r/serverstatus.log', day1.text()], ['r/serverstatus.log', day2.text()]]);
    const r = engine.result();
    expect(r.collisions[0]!.cause).toBe('phantom-from-failed-retrieve');
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]!.time).toBe('2026-11-27T08:00:00');
    // Day 2 instead stores the study under the refused ID on the line number of day 1's refusal.
    const refusalLine = day1.lines.findIndex((l) => l.includes('***Refused')) + 1;
    let store: LogBuilder | null = null;
    for (let k = 0; k < refusalLine && store === null; k++) {
      const b = new LogBuilder(0).at('2026-11-27T10:00:00');
      for (let i = 0; i < k; i++) b.line('Server command: 12');
      b.push('CT01', HOSPITAL_ID, 1);
      if (b.lines.findIndex((l) => l.includes('Written file')) + 1 === refusalLine) store = b;
    }
    const c = run([['r/serverstatus.log', day1.text()], ['r/serverstatus.log', store!.text()]]).result().collisions[0]!;
    expect(c.resolvedAt).toBe('2026-11-27T10:00:00');
    // (the first reading's line says it is of an earlier reading)
    expect(c.evidence.filter((x) => x.line === refusalLine).map((x) => x.role?.split(';')[0])).toEqual(expect.arrayContaining(['refusal', 'collision ended']));
    expect(c.evidence.find((x) => x.line === refusalLine && x.role?.startsWith('refusal'))!.role).toMatch(/earlier reading of this file, now in its logs_\*\.zip/);
  });

  it("two readings' failed moves on the same line numbers stay apart: the one not cited is still an open warning", () => {
    const day1 = new LogBuilder(0).at('2026-11-26T16:42:00');
    day1.failedMove('WS1', 'WS2', 2);
    const day2 = new LogBuilder(0).at('2026-11-27T08:00:00');
    day2.failedMove('WS1', 'WS3', 2);
    day2.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 1);
    const r = run([['r/serverstatus.log', day1.text()], ['r/serverstatus.log', day2.text()]]).result();
    expect(r.collisions[0]!.cause).toBe('phantom-from-failed-retrieve');
    expect(r.warnings.map((w) => w.destinationAe)).toEqual(['WS2']);
    // Its evidence is of the earlier reading, and says so; nothing internal is printed.
    expect(r.warnings[0]!.evidence.every((x) => x.role?.includes('earlier reading of this file'))).toBe(true);
    expect(JSON.stringify(r)).not.toContain('"gen"');
  });

  it("every line of a move made after a rotation is of the new reading, also those added after its refusal", () => {
    const day1 = new LogBuilder(0).at('2026-11-26T10:00:00');
    for (let i = 0; i < 40; i++) day1.line('Server command: 12');
    const day2 = new LogBuilder(0).at('2026-11-27T08:00:00');
    day2.failedMove('WS1', 'WS4', 2);
    const w = run([['r/serverstatus.log', day1.text()], ['r/serverstatus.log', day2.text()]]).result().warnings;
    expect(w.map((x) => x.destinationAe)).toEqual(['WS4']);
    expect(w[0]!.evidence.map((x) => x.role)).toContain('move finished');
    expect(w[0]!.evidence.filter((x) => x.role?.includes('earlier reading'))).toEqual([]);
  });

  it('a state an earlier version kept across a rotation is seeded from its latest lines, not its highest', () => {
    const day1 = new LogBuilder(0).at('2026-11-26T16:42:00');
    for (let i = 0; i < 40; i++) day1.line('Server command: 12');
    day1.failedMove('WS1', 'WS2', 2);
    const day2 = new LogBuilder(0).at('2026-11-27T08:00:00');
    day2.failedMove('WS1', 'WS3', 2);
    const cut = day2.lines.length;
    day2.at('2026-11-27T09:00:00').failedMove('WS1', 'WS4', 2);
    const engine = run([['r/serverstatus.log', day1.text()], ['r/serverstatus.log', day2.lines.slice(0, cut).join('\n') + '\n']]);
    // What the earlier version saved: no readings, no reading marks.
    const strip = (x: unknown): unknown =>
      Array.isArray(x) ? x.map(strip) : x !== null && typeof x === 'object' ? Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'gen' && k !== 'readings').map(([k, v]) => [k, strip(v)])) : x;
    const upgraded = ForensicEngine.restore(strip(JSON.parse(JSON.stringify(engine.snapshot()))));
    for (const e of eventsOf('r/serverstatus.log', day2.text())) if (e.line > cut) upgraded.push(e);
    const w = upgraded.result().warnings;
    expect(w.map((x) => x.destinationAe)).toEqual(['WS2', 'WS3', 'WS4']);
    // Today's moves are not taken for lines of a zipped earlier reading.
    for (const x of w.filter((x) => x.destinationAe !== 'WS2')) expect(x.evidence.filter((e) => e.role?.includes('earlier reading'))).toEqual([]);
  });

  it('a state saved before readings were counted still sees the first rotation; the live log is never the source forgotten', () => {
    const day1 = new LogBuilder(0).at('2026-11-26T16:42:00');
    for (let i = 0; i < 20; i++) day1.line('Server command: 12');
    day1.failedMove('WS1', 'WS2', 2);
    const day2 = new LogBuilder(0).at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 1);
    const old = JSON.parse(JSON.stringify(run([['r/serverstatus.log', day1.text()]]).snapshot())) as Record<string, unknown>;
    delete old.readings;
    const upgraded = ForensicEngine.restore(old);
    for (const e of eventsOf('r/serverstatus.log', day2.text())) upgraded.push(e);
    expect(upgraded.result().collisions[0]!.cause).toBe('phantom-from-failed-retrieve');
    // 4,500 other sources read between the two days (zip entries of an archive folder), the live log
    // read on once among them: it stays known, though more than 4,096 sources came after its first line.
    const engine = run([['r/serverstatus.log', day1.text()]]);
    const other = new LogBuilder(0).at('2026-11-26T18:00:00').line('Server command: 12').text();
    const others = (from: number, to: number): void => {
      for (let i = from; i < to; i++) for (const e of eventsOf(`a/logs_${i}.zip!serverstatus.log`, other)) engine.push(e);
    };
    others(0, 2000);
    for (const e of eventsOf('r/serverstatus.log', day1.line('Server command: 12').text()).slice(-1)) engine.push(e);
    others(2000, 4500);
    for (const e of eventsOf('r/serverstatus.log', day2.text())) engine.push(e);
    expect(engine.result().collisions[0]!.cause).toBe('phantom-from-failed-retrieve');
  });

  it("an error line at the top of the next reading is not taken for the follower of the last reading's final refusal", () => {
    const day1 = new LogBuilder(0).at('2026-11-27T09:14:00');
    for (let i = 0; i < 10; i++) day1.line('Server command: 12');
    day1.line(`***Refused to enter inconsistent link PatientID into DICOMStudies: PatientID = '${HOSPITAL_ID}' StudyInsta = '${STUDY}', Old='${BSN}', Refused='${HOSPITAL_ID}'`);
    const day2 = new LogBuilder(0).at('2026-11-28T08:00:00');
    day2.line(`***Error saving to SQL: ${day2.fileName(HOSPITAL_ID, '1.2.99.7')}`);
    const engine = new ForensicEngine();
    for (const e of [...eventsOf('r/serverstatus.log', day1.text()), ...eventsOf('r/serverstatus.log', day2.text())]) engine.push(e);
    expect(engine.result().collisions[0]!.seriesUids).toEqual([]);
  });

  it('refusals read only in PacsTrouble.log: unexplained, and it says to read serverstatus.log', () => {
    const b = new LogBuilder(0).at('2026-11-26T16:42:00');
    const trouble = new LogBuilder(0);
    b.failedMove('WS1', 'WS2', 2);
    b.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 1, trouble);
    const c = run([['r/PacsTrouble.log', trouble.text()]]).result().collisions[0]!;
    expect(c.cause).toBe('unexplained');
    expect(c.explanation).toMatch(/read serverstatus\.log and its daily archives .* read only in PacsTrouble\.log/);
    const full = run([['r/serverstatus.log', b.text()], ['r/PacsTrouble.log', trouble.text()]]).result().collisions[0]!;
    expect(full.cause).toBe('phantom-from-failed-retrieve');
  });

  it('resolvedAt is the first store under the refused value after the last refusal, not the last store', () => {
    const b = new LogBuilder(0).at('2026-11-26T16:42:00');
    b.failedMove('WS1', 'WS2', 2);
    b.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 2);
    b.at('2026-11-28T08:05:00').push('CT01', HOSPITAL_ID, 1);
    b.at('2026-11-28T08:06:00').push('CT01', HOSPITAL_ID, 1);
    const c = run([['r/serverstatus.log', b.text()]]).result().collisions[0]!;
    expect(c.resolvedAt).toBe('2026-11-28T08:05:00');
  });

  it('under --tz a clean-up in the repeated hour after a DST change is after the failed move it cleans up', () => {
    const b = new LogBuilder(0).at('2026-10-25T02:50:00');
    b.failedMove('WS1', 'WS2', 2, BSN); // 02:50 summer time
    b.at('2026-10-25T02:10:00').cleanupMove('WS1', BSN, 2); // 02:10 winter time, 20 minutes later
    const engine = new ForensicEngine();
    engine.addConfig(VIRTUAL_INI);
    for (const e of eventsOf('r/serverstatus.log', b.text(), { tz: 'Europe/Amsterdam' })) engine.push(e);
    expect(engine.result().warnings).toHaveLength(0);
  });

  it('under --tz collisions are listed by the instant of their first refusal', () => {
    const b = new LogBuilder(0).at('2026-10-25T02:50:00');
    b.refusedPush('CT01', HOSPITAL_ID, 'AAA111', 1); // 02:50 summer time
    b.at('2026-10-25T02:10:00').refusedPush('CT01', HOSPITAL_ID, BSN, 1); // 02:10 winter time, later
    const engine = new ForensicEngine();
    for (const e of eventsOf('r/serverstatus.log', b.text(), { tz: 'Europe/Amsterdam' })) engine.push(e);
    expect(engine.result().collisions.map((c) => [c.oldValue, c.firstSeen])).toEqual([
      ['AAA111', '2026-10-25T02:50:00+02:00'],
      [BSN, '2026-10-25T02:10:00+01:00'],
    ]);
  });

  it('upstream failures are timeline events, not warnings', () => {
    const b = new LogBuilder(0).at('2026-11-26T16:42:00');
    b.cleanupMove('WS1', BSN, 2);
    expect(run([['r/serverstatus.log', b.text()]]).result().warnings).toHaveLength(0);
  });

  it('a warning explained by a collision is no longer open', () => {
    const b = new LogBuilder(0).at('2026-11-26T16:42:00');
    b.failedMove('WS1', 'WS2', 2);
    b.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 1);
    const r = run([['r/serverstatus.log', b.text()]]).result();
    expect(r.collisions).toHaveLength(1);
    expect(r.warnings).toHaveLength(0);
  });
});

describe('incremental use (tail)', () => {
  it('push() reports a collision once, at its first refusal, and a phantom risk at the failed move', () => {
    const b = new LogBuilder(0).at('2026-11-26T16:42:00');
    b.failedMove('WS1', 'WS2', 2);
    b.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 3);
    const engine = new ForensicEngine();
    engine.addConfig(VIRTUAL_INI);
    const findings = eventsOf('r/serverstatus.log', b.text()).flatMap((e) => engine.push(e));
    expect(findings.map((f) => f.type)).toEqual(['phantom-risk', 'collision']);
    const col = findings[1]!;
    expect(col.type === 'collision' && col.collision.cause).toBe('phantom-from-failed-retrieve');
  });

  it('snapshot and restore give the same result as one uninterrupted run', () => {
    const b = new LogBuilder(0).at('2026-11-26T16:42:00');
    b.failedMove('WS1', 'WS2', 2);
    b.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 3);
    const events = eventsOf('r/serverstatus.log', b.text());
    const whole = new ForensicEngine();
    whole.addConfig(VIRTUAL_INI);
    events.forEach((e) => whole.push(e));
    const half = new ForensicEngine();
    half.addConfig(VIRTUAL_INI);
    const cut = Math.floor(events.length / 2);
    events.slice(0, cut).forEach((e) => half.push(e));
    const restored = ForensicEngine.restore(JSON.parse(JSON.stringify(half.snapshot())));
    const later = events.slice(cut).flatMap((e) => restored.push(e));
    expect(later.filter((f) => f.type === 'phantom-risk')).toHaveLength(0); // already reported before the cut
    expect(restored.result()).toEqual(whole.result());
  });
});

describe('recent Written file pairs', () => {
  /** An association that proposed a storage class: its Written file lines are attributed to it. */
  const STORE_FRAME = [
    'Fri Nov 27 10:00:00 2026 UPACS THREAD 1: STARTED AT: Fri Nov 27 10:00:00 2026',
    'Fri Nov 27 10:00:00 2026 \tCalling Application Title : "CT01            "',
    'Fri Nov 27 10:00:00 2026 \tCalled Application Title : "ROUTER          "',
    'Fri Nov 27 10:00:00 2026 \tPresentation Context 0 "1.2.840.10008.5.1.4.1.1.2" 1',
  ];

  it('lets the engine find a recent folder/series pair given as equal strings that are other objects', () => {
    const log = [...STORE_FRAME, 'Fri Nov 27 10:00:01 2026 Written file: /data/P/1.2_0001_000001_17958079010000.dcm'].join('\n');
    for (const folder of ['P', '']) {
      const engine = new ForensicEngine();
      for (const e of eventsOf('r/serverstatus.log', log.replace('/data/P/', `/data/${folder}/`))) engine.push(e);
      const fields = { patientFolder: [...folder].join(''), seriesUid: ['1', '.2'].join(''), fileTime: 1795807902 };
      // A folder is tracked only when there is one: the empty folder is never a recent pair.
      expect(engine.absorbWritten('written-file', '2026-11-27T10:00:02', 'r/serverstatus.log', fields)).toBe(folder !== '');
    }
  });

  it('does not take a pair it found for a line once the recent pairs changed before that line was delivered', () => {
    // needsText finds the line's pair and keeps it for absorbWritten; a held event may deliver
    // other Written file lines in between, which push the pair out of the recent ones.
    const head = STORE_FRAME;
    const written = (folder: string): string => `Fri Nov 27 10:00:01 2026 Written file: /data/${folder}/1.2_0001_000001_17958079010000.dcm`;
    const engine = new ForensicEngine();
    for (const e of eventsOf('r/serverstatus.log', [...head, written('P0')].join('\n'))) engine.push(e);
    const fields = { patientFolder: 'P0', seriesUid: '1.2', fileTime: 1795807902 };
    expect(engine.needsText('written-file', fields, 'r/serverstatus.log')).toBe(false);
    const others = Array.from({ length: 9 }, (_, i) => written(`Q${i}`));
    for (const e of eventsOf('r/serverstatus.log', [...head, ...others].join('\n'))) engine.push(e);
    // P0 is no longer among the recent pairs: the line is pushed as an event, not absorbed.
    expect(engine.absorbWritten('written-file', '2026-11-27T10:00:02', 'r/serverstatus.log', fields)).toBe(false);
    // The pair kept for one line is not taken for another line's fields.
    const kept = { patientFolder: 'Q8', seriesUid: '1.2', fileTime: 1795807902 };
    expect(engine.needsText('written-file', kept, 'r/serverstatus.log')).toBe(false);
    expect(engine.absorbWritten('written-file', '2026-11-27T10:00:02', 'r/serverstatus.log', { patientFolder: 'P0', seriesUid: '1.2', fileTime: 1795807903 })).toBe(false);
    // Asked afresh, the same line of a pair still recent is absorbed.
    const recent = { patientFolder: 'Q8', seriesUid: '1.2', fileTime: 1795807902 };
    expect(engine.needsText('written-file', recent, 'r/serverstatus.log')).toBe(false);
    expect(engine.absorbWritten('written-file', '2026-11-27T10:00:02', 'r/serverstatus.log', recent)).toBe(true);
  });
});
