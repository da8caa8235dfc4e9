import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MAX_KNOWN_IDS, Redactor, loadRedactKey, redactKeyFile } from '../../src/report/redact.js';
import { EventAssembler } from '../../src/parse/assemble.js';
import type { LogEvent } from '../../src/parse/event.js';

function ev(line: string): LogEvent {
  const out: LogEvent[] = [];
  const a = new EventAssembler('s.log', {}, (e) => out.push(e), () => {});
  a.line(line, 0, 1);
  a.end();
  return out[0]!;
}

describe('Redactor', () => {
  const key = Buffer.from('test-key');
  it('gives the same pseudonym for the same ID, P- and 8 hex digits, keyed', () => {
    const a = new Redactor(key);
    const b = new Redactor(key);
    const c = new Redactor(Buffer.from('other'));
    expect(a.pseudonym('12345678')).toMatch(/^P-[0-9a-f]{8}$/);
    expect(a.pseudonym('12345678')).toBe(b.pseudonym('12345678'));
    expect(a.pseudonym('12345678')).not.toBe(c.pseudonym('12345678'));
  });

  it('removes patient IDs and BSNs from a refusal and its fields, but keeps UIDs', () => {
    const r = new Redactor(key);
    const e = r.event(ev("Fri Nov 27 19:32:40 2026 ***Refused to enter inconsistent link PatientID into DICOMStudies: PatientID = '12345678' StudyInsta = '1.3.46.670589.5.2.10.2156913941.892665384.993397', Old='123456782', Refused='12345678'"));
    const all = JSON.stringify(e);
    expect(all).not.toContain('12345678\'');
    expect(all).not.toContain('123456782');
    expect(e.text).toContain('1.3.46.670589.5.2.10.2156913941.892665384.993397');
    expect(e.fields.old).toBe(r.pseudonym('123456782'));
  });

  it('redacts the patient folder inside Windows and POSIX paths', () => {
    const r = new Redactor(key);
    const w = r.event(ev('20200722 14:03:05 Written file: D:\\data\\1234567\\1.2.840.113619.2.55.3.604688119.868.1595400000.467_0002_000001_15954193850003.dcm'));
    expect(w.text).not.toContain('\\1234567\\');
    expect(w.text).toContain(r.pseudonym('1234567'));
    expect(w.text).toContain('1.2.840.113619.2.55.3.604688119.868.1595400000.467');
  });

  it('catches a BSN in free text even when no field named it, and names in Inconsistent lines', () => {
    const r = new Redactor(key);
    expect(r.text('moved 123456782 to WS2')).toBe(`moved ${r.pseudonym('123456782')} to WS2`);
    const i = r.event(ev("Inconsistent PatientNam in DICOMStudies: PatientID = '12345678' StudyInsta = '1.2.3', Old='DOE^JOHN', New='DOE^J'"));
    expect(i.text).not.toContain('DOE');
  });

  it('redacts PatientID column values of the debug SQL trace, with or without a table, and learns them', () => {
    const r = new Redactor(key);
    const values = r.event(ev("Fri Nov 27 19:36:30 2026 Values: DICOMStudies.PatientID = 'XYZ999' and DICOMStudies.StudyInsta = '1.2.3'"));
    expect(values.text).toBe(`Values: DICOMStudies.PatientID = '${r.pseudonym('XYZ999')}' and DICOMStudies.StudyInsta = '1.2.3'`);
    expect(r.text("Where       : DICOMPatients.PatientID = 'QQQ111'")).toBe(`Where       : DICOMPatients.PatientID = '${r.pseudonym('QQQ111')}'`);
    expect(r.text("Values: DICOMImages.ImagePat = '10456784'")).toBe(`Values: DICOMImages.ImagePat = '${r.pseudonym('10456784')}'`);
    // Learned: the same ID elsewhere in later text is replaced too.
    expect(r.text('folder XYZ999 done')).toBe(`folder ${r.pseudonym('XYZ999')} done`);
  });

  it("reads PostgreSQL E'…' values and cut statements in an INSERT without losing the columns' places", () => {
    const r = new Redactor(key);
    const line = "***SQL: INSERT INTO DICOMStudies (StudyInsta, StudyDescr, PatientID, PatientNam) VALUES (E'1.2.3', E'CT head, neck (it\\'s)', E'55443324', E'DOE^XAVIER')";
    expect(r.text(line)).toBe(
      `***SQL: INSERT INTO DICOMStudies (StudyInsta, StudyDescr, PatientID, PatientNam) VALUES (E'1.2.3', E'CT head, neck (it\\'s)', E'${r.pseudonym('55443324')}', E'${r.pseudonym('DOE^XAVIER', 'N-')}')`,
    );
    // The ID was learned as itself (not with its quotes), so it is the same pseudonym everywhere.
    expect(r.text('note about 55443324')).toBe(`note about ${r.pseudonym('55443324')}`);
    // A value cut by the 1,000-character limit is replaced where it stands but not learned: '12' may be a part of an ID.
    const cut = r.text("***SQL: INSERT INTO DICOMPatients (PatientNam, PatientID) VALUES ('SMITH^JO', '12");
    expect(cut).toBe(`***SQL: INSERT INTO DICOMPatients (PatientNam, PatientID) VALUES ('${r.pseudonym('SMITH^JO', 'N-')}', '${r.pseudonym('12')}`);
    expect(r.text('Number of images to send: 12')).toBe('Number of images to send: 12');
    // Names and birth dates of an INSERT are not learned: the same digits inside a UID or a date elsewhere stay.
    r.text("***SQL: INSERT INTO DICOMPatients (PatientID, PatientBir) VALUES ('X1', '19000001')");
    expect(r.text('Written file: 1.2.840.19000001.5 on 19000001')).toBe('Written file: 1.2.840.19000001.5 on 19000001');
  });

  it('replaces learned names in any script, and learns a complete INSERT name (not a birth date)', () => {
    const r = new Redactor(key);
    r.learnName('Иванов^Иван');
    expect(r.text('Patient Иванов^Иван stored')).toBe(`Patient ${r.pseudonym('Иванов^Иван', 'N-')} stored`);
    r.text("***SQL: INSERT INTO DICOMPatients (PatientID, PatientNam, PatientBir) VALUES ('X9', 'SMITH^ANN', '19700101')");
    expect(r.text('later free text SMITH^ANN on 19700101')).toBe(`later free text ${r.pseudonym('SMITH^ANN', 'N-')} on 19700101`);
  });

  it('finds each of many names that share a first word, the longest first, and one that starts with punctuation', () => {
    const r = new Redactor(key);
    for (let i = 0; i < 3000; i++) r.learnName(`VAN DIJK^${i}`);
    for (const n of ['VAN DIJK', 'VAN DIJK^JAN', 'VAN DIJKSTRA', "'t HOOFT^JAN"]) r.learnName(n);
    const n = (x: string): string => r.pseudonym(x, 'N-');
    expect(r.text("VAN DIJK^JAN, VAN DIJK, VAN DIJKSTRA, VAN DIJK^2999, 't HOOFT^JAN, VAN DIJKE, VAN DIJK^3000")).toBe(
      `${n('VAN DIJK^JAN')}, ${n('VAN DIJK')}, ${n('VAN DIJKSTRA')}, ${n('VAN DIJK^2999')}, ${n("'t HOOFT^JAN")}, VAN DIJKE, ${n('VAN DIJK')}^3000`,
    );
  });

  it('forgets the oldest literal beyond MAX_KNOWN_IDS and still finds the rest', () => {
    const r = new Redactor(key);
    for (let i = 0; i <= MAX_KNOWN_IDS; i++) r.learnName(`VAN ${i}^X`);
    expect(r.text('VAN 0^X')).toBe('VAN 0^X');
    expect(r.text('VAN 1^X')).toBe(r.pseudonym('VAN 1^X', 'N-'));
    expect(r.text(`VAN ${MAX_KNOWN_IDS}^X`)).toBe(r.pseudonym(`VAN ${MAX_KNOWN_IDS}^X`, 'N-'));
  });

  it('replaces learned names only where they stand apart: not inside a longer name, a word or a UID', () => {
    const r = new Redactor(key);
    r.learnName('NAME^N1');
    r.learnName('NAME^N10');
    r.learnName('19000001');
    expect(r.text('a NAME^N10 b NAME^N1 c NAME^N1X d 1.2.840.19000001.5 e 2190000017 f (19000001)')).toBe(
      `a ${r.pseudonym('NAME^N10', 'N-')} b ${r.pseudonym('NAME^N1', 'N-')} c NAME^N1X d 1.2.840.19000001.5 e 2190000017 f (${r.pseudonym('19000001', 'N-')})`,
    );
  });

  it('redacts names and birth dates of the SQL trace by their column, unescaped before hashing', () => {
    const r = new Redactor(key);
    expect(r.text("Where : DICOMPatients.PatientNam LIKE 'DOE^JOHN%' and DICOMPatients.PatientBir = '19700101'")).toBe(
      `Where : DICOMPatients.PatientNam LIKE '${r.pseudonym('DOE^JOHN', 'N-')}%' and DICOMPatients.PatientBir = '${r.pseudonym('19700101', 'N-')}'`,
    );
    expect(r.text("Where : DICOMPatients.PatientID LIKE 'O''BRIEN%'")).toBe(`Where : DICOMPatients.PatientID LIKE '${r.pseudonym("O'BRIEN")}%'`);
    // E'AB\\12' holds the value AB\12.
    expect(r.text("Where : DICOMPatients.PatientID = E'AB\\\\12'")).toBe(`Where : DICOMPatients.PatientID = E'${r.pseudonym('AB\\12')}'`);
    expect(r.text('insert INTO DICOMPatients (PatientID) VALUES (\'QQ12\')')).toBe(`insert INTO DICOMPatients (PatientID) VALUES ('${r.pseudonym('QQ12')}')`);
  });

  it("a quote escaped with a backslash inside E'…' does not end the value: nothing after it leaks", () => {
    const r = new Redactor(key);
    const line = "Where : DICOMPatients.PatientNam = E'O\\'BRIEN^JANNEKE' and DICOMPatients.PatientID = E'AB\\'77X' and DICOMPatients.PatientBir LIKE E'1970\\'%'";
    const out = r.text(line);
    for (const leak of ['BRIEN', 'JANNEKE', '77X', '1970']) expect(out).not.toContain(leak);
    expect(out).toBe(
      `Where : DICOMPatients.PatientNam = E'${r.pseudonym("O'BRIEN^JANNEKE", 'N-')}' and DICOMPatients.PatientID = E'${r.pseudonym("AB'77X")}' and DICOMPatients.PatientBir LIKE E'${r.pseudonym('1970', 'N-')}\\'%'`,
    );
    // The ID was complete: it is learned and replaced elsewhere too.
    expect(r.text("moved AB'77X")).toBe(`moved ${r.pseudonym("AB'77X")}`);
  });

  it('a value cut at the end of the line (the 1,000-character limit) is replaced to the end, not learned', () => {
    const r = new Redactor(key);
    expect(r.text("Where : DICOMPatients.PatientID = 'QX4455")).toBe(`Where : DICOMPatients.PatientID = '${r.pseudonym('QX4455')}`);
    expect(r.text("Where : DICOMPatients.PatientNam = 'DOE^JOH")).toBe(`Where : DICOMPatients.PatientNam = '${r.pseudonym('DOE^JOH', 'N-')}`);
    expect(r.text('count QX4455')).toBe('count QX4455');
  });

  it('redacts the literal parts of a wildcard PatientID query (LIKE, PostgreSQL E quote) without learning them', () => {
    const r = new Redactor(key);
    expect(r.text("Where : DICOMPatients.PatientID LIKE '7654%'")).toBe(`Where : DICOMPatients.PatientID LIKE '${r.pseudonym('7654')}%'`);
    expect(r.text("Where : (DICOMPatients.PatientID = E'AB12' or DICOMPatients.PatientID LIKE E'AB12\\%' or DICOMPatients.PatientID LIKE E'%\\CD34')")).toBe(
      `Where : (DICOMPatients.PatientID = E'${r.pseudonym('AB12')}' or DICOMPatients.PatientID LIKE E'${r.pseudonym('AB12')}\\%' or DICOMPatients.PatientID LIKE E'%\\${r.pseudonym('CD34')}')`,
    );
    // The pattern's piece is not learned as a patient: the same digits elsewhere stay.
    expect(r.text('count 7654 images')).toBe('count 7654 images');
  });

  it('redacts the PatientID and name values of an INSERT in the debug SQL trace by their column, and learns the ID', () => {
    const r = new Redactor(key);
    const line =
      "***SQL: INSERT INTO DICOMStudies (StudyInsta, StudyDate, PatientID, PatientNam, PatientBir, AccessTime) VALUES ('1.2.3.4', '20261127', 'AB 77', 'O''BRIEN^PAT', '19700101', 1795800000)";
    const out = r.text(line);
    expect(out).toBe(
      `***SQL: INSERT INTO DICOMStudies (StudyInsta, StudyDate, PatientID, PatientNam, PatientBir, AccessTime) VALUES ('1.2.3.4', '20261127', '${r.pseudonym('AB 77')}', '${r.pseudonym("O'BRIEN^PAT", 'N-')}', '${r.pseudonym('19700101', 'N-')}', 1795800000)`,
    );
    // An ID with a space is learned as a literal: a later line naming it is redacted.
    expect(r.text('Deleting patient AB 77 now')).toBe(`Deleting patient ${r.pseudonym('AB 77')} now`);
    // Series and image tables name the patient as SeriesPat / ImagePat; a statement cut at 1,000 characters still counts.
    expect(r.text("***SQL: INSERT INTO DICOMSeries (SeriesInst, SeriesPat, Modality) VALUES ('1.2.3.5', 'ZZ4711")).toBe(
      `***SQL: INSERT INTO DICOMSeries (SeriesInst, SeriesPat, Modality) VALUES ('1.2.3.5', '${r.pseudonym('ZZ4711')}`,
    );
    expect(r.text("***SQL: INSERT INTO DICOMImages (SOPInstanc, ImagePat) VALUES ('1.2.3.6', NULL)")).toBe("***SQL: INSERT INTO DICOMImages (SOPInstanc, ImagePat) VALUES ('1.2.3.6', NULL)");
    // Other tables' values are kept.
    expect(r.text("***SQL: INSERT INTO UIDMODS (MODTime, OldUID) VALUES (1795800000, '1.2.3')")).toBe("***SQL: INSERT INTO UIDMODS (MODTime, OldUID) VALUES (1795800000, '1.2.3')");
  });

  it('redacts the patient folder of DICOM file paths in any message, but not UID folders or top-level folders', () => {
    const r = new Redactor(key);
    expect(r.text('***Could still not find file: /opt/conquest/data/87600037/x.dcm')).toBe(`***Could still not find file: /opt/conquest/data/${r.pseudonym('87600037')}/x.dcm`);
    expect(r.text('[Regen] D:\\data\\MF-00126\\x.dcm -SUCCESS')).toBe(`[Regen] D:\\data\\${r.pseudonym('MF-00126')}\\x.dcm -SUCCESS`);
    expect(r.text('SaveToDisk: cannot rewrite jpeg/rle image in v2 format: MF-00138\\a.v2')).toContain(`${r.pseudonym('MF-00138')}\\a.v2`);
    const uid = 'Sending file : D:\\data\\1.2.840.1.2.3\\1.2.3.4\\1.2.3.4.5.dcm';
    expect(r.text(uid)).toBe(uid);
    expect(r.text('saved incoming file as: D:\\failsafe\\x1.dcm')).toBe('saved incoming file as: D:\\failsafe\\x1.dcm');
  });

  it('learns the patient of archival, clean-up, deletion, modification, killer and virtual-path lines', () => {
    const r = new Redactor(key);
    for (const [line, id] of [
      ['Archival: copied image data for patient: 87600040', '87600040'],
      ["Patient ID '87600052' Removed (no longer being used)", '87600052'],
      ['DISK SPACE: 20 MB / NEED 30 MB - Deleting patient: 87600058', '87600058'],
      ['Deleting database entries for patient: 87600064', '87600064'],
      ['Modified patient ID to: MF-00084', 'MF-00084'],
      ['Deleting study: 87600011:1.2.3', '87600011'],
      ['**** Virtual query (MAINPACS) filename problem - 87600028\\1.3.46.1_0001_000001_17956851630001.dcm', '87600028'],
    ] as const) {
      const e = r.event(ev(`Fri Nov 27 19:36:30 2026 ${line}`));
      expect(e.text).not.toContain(id);
      expect(r.text(`later ${id} again`)).toBe(`later ${r.pseudonym(id)} again`);
    }
  });

  it('replaces a learned ID that is not one token (a space, +, a letter above 127) as a literal', () => {
    const r = new Redactor(key);
    for (const id of ['AB 00999', 'AB+12345', 'MÜLLER01']) {
      r.learn(id);
      expect(r.text(`Old='${id}', x ${id}/f.dcm`)).not.toContain(id);
    }
  });

  it('finds a BSN inside a longer token, but not a 9-digit part of a dotted UID', () => {
    const r = new Redactor(key);
    expect(r.text('D:\\data\\DEVRIES_JAN_111222333\\')).toBe(`D:\\data\\DEVRIES_JAN_${r.pseudonym('111222333')}\\`);
    expect(r.text('as: D:\\failsafe\\244000001.dcm')).toBe(`as: D:\\failsafe\\${r.pseudonym('244000001')}.dcm`);
    // 123456782 passes the 11-check; inside a UID it is kept.
    expect(r.text('uid 1.2.123456782.5 done')).toBe('uid 1.2.123456782.5 done');
  });

  it('makes a key file with private permissions on first use and reuses it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cqlog-key-'));
    const prevDir = process.env.CQLOG_CONFIG_DIR;
    const prevKey = process.env.CQLOG_REDACT_KEY;
    process.env.CQLOG_CONFIG_DIR = dir;
    delete process.env.CQLOG_REDACT_KEY;
    try {
      const k1 = loadRedactKey();
      const k2 = loadRedactKey();
      expect(k1.equals(k2)).toBe(true);
      expect(readFileSync(redactKeyFile(), 'utf8').trim().length).toBeGreaterThanOrEqual(32);
      if (process.platform !== 'win32') expect(statSync(redactKeyFile()).mode & 0o077).toBe(0);
      // A key the user wrote is kept, however short; only an empty key file gets a new key.
      writeFileSync(redactKeyFile(), 'my-own-short-key\n');
      expect(loadRedactKey().toString()).toBe('my-own-short-key');
      expect(readFileSync(redactKeyFile(), 'utf8')).toBe('my-own-short-key\n');
      writeFileSync(redactKeyFile(), '\n');
      expect(loadRedactKey().toString().length).toBeGreaterThanOrEqual(32);
      process.env.CQLOG_REDACT_KEY = 'env-key';
      expect(loadRedactKey().toString()).toBe('env-key');
    } finally {
      if (prevDir === undefined) delete process.env.CQLOG_CONFIG_DIR;
      else process.env.CQLOG_CONFIG_DIR = prevDir;
      if (prevKey === undefined) delete process.env.CQLOG_REDACT_KEY;
      else process.env.CQLOG_REDACT_KEY = prevKey;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
