/** Database consistency messages: reference §2.2 and §4.2 (dbsql.cpp UpdateOrAddToTable). */
import type { CatalogRow } from '../types.js';

/** A SQL-quoted value: `''` stands for one quote (§1.8). */
const Q = "((?:[^']|'')*)";

export const consistencyRows: CatalogRow[] = [
  {
    kind: 'refused-link',
    description: 'Fatal: the stored record links to another parent (Old) than the incoming object (Refused); not stored',
    ref: '§2.2 dbsql.cpp:2072, §4.2',
    logger: 'N',
    pattern: new RegExp(
      `^\\*\\*\\*Refused to enter inconsistent link (?<linkColumn>\\S+) into (?<table>\\S+): PatientID = '(?<patientId>${Q.slice(1, -1)})' (?<where>.*), Old='(?<old>${Q.slice(1, -1)})', Refused='(?<refused>${Q.slice(1, -1)})'$`,
    ),
    values: { patientId: 'sql', where: 'where', old: 'sql', refused: 'sql' },
    samples: [
      {
        line: "Fri Nov 27 19:32:40 2026 ***Refused to enter inconsistent link PatientID into DICOMStudies: PatientID = '12345678' StudyInsta = '1.3.46.670589.5.2.10.2156913941.892665384.993397', Old='123456782', Refused='12345678'",
        fields: {
          linkColumn: 'PatientID',
          table: 'DICOMStudies',
          patientId: '12345678',
          where: "StudyInsta = '1.3.46.670589.5.2.10.2156913941.892665384.993397'",
          wherePairs: [{ column: 'StudyInsta', value: '1.3.46.670589.5.2.10.2156913941.892665384.993397' }],
          old: '123456782',
          refused: '12345678',
        },
      },
      {
        line: "20200723 09:15:41 ***Refused to enter inconsistent link StudyInstanceUID into DICOMSeries: PatientID = 'O''Brien' SeriesInstanceUID = '1.2.3' AND SeriesPat = 'O''Brien', Old='1.2.9', Refused='1.2.8'",
        fields: {
          linkColumn: 'StudyInstanceUID',
          table: 'DICOMSeries',
          patientId: "O'Brien",
          wherePairs: [
            { column: 'SeriesInstanceUID', value: '1.2.3' },
            { column: 'SeriesPat', value: "O'Brien" },
          ],
          old: '1.2.9',
          refused: '1.2.8',
        },
      },
    ],
  },
  {
    kind: 'inconsistent',
    description: 'A non-link column differs from the stored value; the row is updated (birth date: *** in serverstatus.log; others PacsTrouble.log only)',
    ref: '§2.2 dbsql.cpp:2066, 2077',
    logger: 'T',
    contains: 'Inconsistent ',
    pattern: new RegExp(
      `^(?<fatal>\\*\\*\\*)?Inconsistent (?<column>\\S+) in (?<table>\\S+): PatientID = '(?<patientId>${Q.slice(1, -1)})' (?<where>.*), Old='(?<old>${Q.slice(1, -1)})', New='(?<new>${Q.slice(1, -1)})'$`,
    ),
    values: { fatal: 'flag', patientId: 'sql', where: 'where', old: 'sql', new: 'sql' },
    samples: [
      {
        line: "20200723 09:15:41 Inconsistent PatientNam in DICOMStudies: PatientID = '12345678' StudyInsta = '1.2.3', Old='DOE^JOHN', New='DOE^J'",
        fields: { fatal: false, column: 'PatientNam', table: 'DICOMStudies', old: 'DOE^JOHN', new: 'DOE^J' },
      },
    ],
  },
  {
    kind: 'duplicate-found',
    description: 'Two or more study rows for one StudyInstanceUID: fatal',
    ref: '§2.2 dbsql.cpp:2091',
    logger: 'N',
    pattern: /^\*\*\*Duplicate found in (?<table>\S+) WHERE (?<where>.*)$/,
    values: { where: 'where' },
    samples: [{ line: "***Duplicate found in DICOMStudies WHERE StudyInsta = '1.2.3'", fields: { table: 'DICOMStudies' } }],
  },
  {
    kind: 'db-add-failed',
    description: 'An INSERT or UPDATE failed (debug)',
    ref: '§2.2 dbsql.cpp:1628, 2121',
    logger: 'D',
    pattern: /^\*\*\*Unable to (?<operation>DB\.Add\(\)|update record)$/,
    samples: [{ line: '***Unable to DB.Add()', fields: { operation: 'DB.Add()' } }],
  },
  {
    kind: 'sql-statement',
    description: 'The SQL statement of a failed INSERT/UPDATE (debug)',
    ref: '§2.2 dbsql.cpp:1629',
    logger: 'D',
    pattern: /^\*\*\*SQL: (?<sql>.*)$/,
    samples: [{ line: "***SQL: INSERT INTO DICOMImages VALUES ('1')" }],
  },
  {
    kind: 'db-bookkeeping-failed',
    description: 'Access-time, link or UID bookkeeping failed (debug)',
    ref: '§2.2 dbsql.cpp:2167-2790',
    logger: 'D',
    pattern: /^\*\*\*(?<problem>Could not update access time for \w+ level database|Could not obtain \w+ level link|Unable to connect to SQL|Unable to query UIDMODS table|Unable to bind field of UIDMODS table|Unable to add entry to UIDMODS table|ChangeUIDBack: .*|DeleteUIDChanges: .*)$/,
    samples: [{ line: '***Could not obtain Study level link', fields: { problem: 'Could not obtain Study level link' } }],
  },
  {
    kind: 'delete-failed',
    description: 'A delete found no correct UIDs in the object',
    ref: '§2.2 dbsql.cpp:3105',
    logger: 'N',
    pattern: /^\*\*\*\[NewDeleteFromDB\] -FAILED: (?<reason>.*)$/,
    samples: [{ line: '***[NewDeleteFromDB] -FAILED: DDO does not contain correct UIDs' }],
  },
  {
    kind: 'object-removed',
    description: 'Delete or modify command acting on [device:file]',
    ref: '§2.2 dbsql.cpp:3549, 4278, 4423',
    logger: 'N',
    pattern: /^(?<action>Removed file|Removing object|Modifying object): \[(?<device>[^:\]]*):(?<path>.*)\]$/,
    values: { path: 'path' },
    samples: [{ line: 'Removing object: [MAG0:12345678\\1.2.3_0001_000001_15954193850004.dcm]', fields: { action: 'Removing object', device: 'MAG0', patientFolder: '12345678' } }],
  },
  {
    kind: 'remove-failed',
    description: 'A file or mirror file could not be removed',
    ref: '§2.2 dbsql.cpp:3560, 3592, 3608',
    logger: 'N',
    pattern: /^\*\*\*(?:Could not remove (?<what>IOD|mirror file) (?<path>.*)|Unable to locate FILENAME for image)$/,
    samples: [{ line: '***Could not remove IOD D:\\data\\x.dcm', fields: { what: 'IOD' } }],
  },
  {
    kind: 'fiximage',
    description: 'FixImage adjusted the patient data of an object (debug)',
    ref: '§2.2 dbsql.cpp:1065-1166',
    logger: 'D',
    pattern: /^Fiximage: (?<fix>.*)$/,
    samples: [{ line: 'Fiximage: Fixed Kodak patient ID', fields: { fix: 'Fixed Kodak patient ID' } }],
  },
];
