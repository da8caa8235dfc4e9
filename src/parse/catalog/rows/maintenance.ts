/**
 * Maintenance lines: archival and move-to-device jobs (device.cpp), regeneration (regen.cpp,
 * dgate.cpp), the console/database self-tests, database set-up, the built-in dbase driver
 * (odbci.cpp), killer.exe and the MAG device report. Reference §2.8, §2.9, §5; formats from
 * conquest-log-formats.tsv.
 */
import type { CatalogRow } from '../types.js';

/** What an archival or move-to-device job did (device.cpp:3033-4033). */
const ARCHIVAL_STEP =
  '(?<step>[Nn]othing to do|total archive amount: \\d+ KB|writing to cache-device|moving \\d+ MB to|set new device name|' +
  'set archive flag for (?:patient|series)| *\\d+ KB will be written for patient|moved data of patient|' +
  '(?:copied|compared) image data for (?:patient|series)|deleted (?:on-line image|cache|mirror|source) data for (?:patient|series)|' +
  'verified (?:jukebox|mirror) data for patient|test read all data for patient)(?::? (?<target>.*))?$';

/** Why an archival or move-to-device job stopped (device.cpp:2741-4028). */
const ARCHIVAL_PROBLEM =
  '\\*\\*\\* (?<problem>to-device \\(.*\\) (?:has no CD number specified|should have been a JUKEBOX device)|' +
  'could not (?:find cache (?:directory|device) for|restore device name \\(.*\\)|create (?:patient|series) list|' +
  'set device name to archiving for (?:patient|series)|compute KB used for (?:patient|series)|' +
  'find cache drive with enough space \\(\\d+ KB\\)|(?:move|copy) image data for (?:patient|series)|set new device name)|' +
  'Patients were already selected for archiving|invalid (?:from-|to-|cache-|jukebox |main |mirror )?device(?: to test read)?|' +
  'jukebox device has been used before|error (?:comparing|deleting|test reading) (?:mirror |cache )?data for (?:patient|series)|' +
  'main device must be a MAG device)(?::? (?<target>.*))?$';

export const maintenanceRows: CatalogRow[] = [
  {
    kind: 'archival-step',
    description: 'Progress of an archival job (select, copy, compare, verify, delete data of a patient or series)',
    ref: '§5 device.cpp:3033-4033',
    logger: 'N',
    pattern: new RegExp('^Archival: ' + ARCHIVAL_STEP),
    fixed: { task: 'Archival' },
    samples: [
      { line: '20200722 02:00:01 Archival: copied image data for patient: 12345678', fields: { task: 'Archival', step: 'copied image data for patient', target: '12345678' } },
      { line: 'Archival:     20 KB will be written for patient: 12345678', fields: { target: '12345678' } },
      { line: 'Archival: Nothing to do', fields: { step: 'Nothing to do', target: null } },
    ],
  },
  {
    kind: 'archival-step',
    description: 'Progress of a move-to-device job (MoveDataToDevice per patient, MoveSeriesToDevice per series)',
    ref: '§5 device.cpp:3545-3750',
    logger: 'N',
    pattern: new RegExp('^(?<task>MoveDataToDevice|MoveSeriesToDevice): ' + ARCHIVAL_STEP),
    samples: [
      { line: 'MoveDataToDevice: moving 120 MB to: MAG1', fields: { task: 'MoveDataToDevice', step: 'moving 120 MB to', target: 'MAG1' } },
      { line: 'MoveSeriesToDevice: deleted source data for series: 1.2.3', fields: { task: 'MoveSeriesToDevice', target: '1.2.3' } },
    ],
  },
  {
    kind: 'archival-step',
    description: 'The archive flag of a device was reset',
    ref: 'device.cpp:3033',
    logger: 'N',
    pattern: /^Resetting archive flag on device: (?<target>MAG\d+)$/,
    fixed: { task: 'Archival', step: 'reset archive flag' },
    samples: [{ line: 'Resetting archive flag on device: MAG0', fields: { target: 'MAG0', step: 'reset archive flag' } }],
  },
  {
    kind: 'archival-failed',
    description: 'An archival or move-to-device job stopped: bad device, no patient list, copy/compare/delete failed',
    ref: '§5 device.cpp:2741-4028',
    logger: 'N',
    pattern: new RegExp('^(?<task>Archival|MoveDataToDevice|MoveSeriesToDevice): ' + ARCHIVAL_PROBLEM),
    samples: [
      { line: 'Archival: *** invalid to-device: JUKEBOX9', fields: { task: 'Archival', problem: 'invalid to-device', target: 'JUKEBOX9' } },
      { line: 'MoveDataToDevice: *** could not set new device name', fields: { problem: 'could not set new device name', target: null } },
      { line: 'Archival: *** to-device (JUKEBOX0) has no CD number specified', fields: { problem: 'to-device (JUKEBOX0) has no CD number specified' } },
    ],
  },
  {
    kind: 'archival-file-error',
    description: 'A file could not be moved, copied, compared, test-read, sized or deleted by a device job',
    ref: 'device.cpp:1631-2698, 1937',
    logger: 'N',
    pattern:
      /^\*\*\*(?<problem>Unable to (?:move|copy) file|Comparison failed for files|Test read failed for file|Attempt to delete file that was not copied|Unable to delete file|Unable to determine size of file|Unable to update image records to new device)(?:: (?<file>.*?)(?: (?:to|and) (?<other>.*))?)?$/,
    samples: [
      { line: '***Unable to copy file: D:\\data\\x.dcm to E:\\jukebox\\x.dcm', fields: { problem: 'Unable to copy file', file: 'D:\\data\\x.dcm', other: 'E:\\jukebox\\x.dcm' } },
      { line: "***Unable to determine size of file: 'D:\\data\\x.dcm'", fields: { problem: 'Unable to determine size of file' } },
    ],
  },
  {
    kind: 'image-query-failed',
    description: 'A background job (prefetch, archival, move script, size count) could not query the image records',
    ref: 'device.cpp:1614-2660, dgate.cpp:11705, 12364-12388',
    logger: 'N',
    pattern: /^\*\*\*Unable to (?:query (?:on study )?for image records? (?:to|for) (?<purpose>.*)|open database for (?<dbPurpose>prefetch))$/,
    samples: [
      { line: '***Unable to query for image records to compute total size', fields: { purpose: 'compute total size' } },
      { line: '***Unable to query on study for image records for prefetch', fields: { purpose: 'prefetch' } },
    ],
  },
  {
    kind: 'regen',
    description: 'Database regeneration progress: one object re-entered, or a directory scanned',
    ref: '§5 regen.cpp:158, 376',
    logger: 'N',
    pattern: /^\[Regen\] (?<path>.*) -(?<result>SUCCESS|FAILED.*)$/,
    fixed: { fatal: false },
    samples: [{ line: '[Regen] D:\\data\\x.dcm -SUCCESS', fields: { result: 'SUCCESS', fatal: false } }],
  },
  {
    kind: 'regen',
    description: 'Database regeneration could not load or enter an object',
    ref: '§5 regen.cpp:125-154',
    logger: 'N',
    pattern: /^\*\*\*\[Regen\] (?<path>.*) -(?<result>FAILED.*)$/,
    fixed: { fatal: true },
    samples: [{ line: '***[Regen] D:\\data\\x.dcm -FAILED: Error on Load', fields: { result: 'FAILED: Error on Load', fatal: true, path: 'D:\\data\\x.dcm' } }],
  },
  {
    kind: 'regen',
    description: 'Database regeneration phases: directory, single device, complete',
    ref: '§5 regen.cpp:376, dgate.cpp:13581-13797',
    logger: 'N',
    pattern:
      /^(?:Regen directory = (?<directory>.*)|Regen (?<scope>folders on single device|single device): (?<device>.*)|Regeneration (?<complete>folders )?Complete|Step (?<step>[12]): (?:Re-intialize SQL Tables|Load \/ Add DICOM Object files))$/,
    values: { step: 'int' },
    fixed: { fatal: false },
    samples: [
      { line: 'Regen directory = D:\\conquest\\data\\', fields: { directory: 'D:\\conquest\\data\\' } },
      { line: 'Regen single device: MAG1', fields: { scope: 'single device', device: 'MAG1' } },
      { line: 'Step 1: Re-intialize SQL Tables', fields: { step: 1 } },
      { line: 'Regeneration Complete' },
    ],
  },
  {
    kind: 'regen',
    description: 'Database regeneration (dgate -r) set-up steps: dropping and re-creating the tables, scanning a device',
    ref: 'dgate.cpp:13573 (Regen Database, debug); other steps seen in dgate-real init/dgate-v-r.out',
    logger: 'D',
    pattern:
      /^(?:Regen Database|Regen Device '(?<device>.*)'|Dropping Existing tables \(if-any\)|Worklist is empty|Dropping worklist|Dropping other tables|(?<level>WorkList|Patient|Study|Series|Image) Database)$/,
    fixed: { fatal: false },
    samples: [
      { line: "Regen Device 'MAG0'", fields: { device: 'MAG0' } },
      { line: 'Dropping Existing tables (if-any)' },
      { line: 'WorkList Database', fields: { level: 'WorkList' } },
    ],
  },
  {
    kind: 'console-test',
    description: 'Output of the console communication self-test',
    ref: 'dgate.cpp:13639-13643',
    logger: 'N',
    pattern: /^(?:This output is generated by the dicom server application|If you can read this, the console communication is OK|---------- Succesful end of test -----------)$/,
    samples: [{ line: 'If you can read this, the console communication is OK' }],
  },
  {
    kind: 'database-test',
    description: 'Steps of the database self-test (open, create table, add record, drop, close)',
    ref: 'dgate.cpp:13656-13673',
    logger: 'N',
    pattern: /^(?<step>Attempting to open database; test #(?<attempt>\d+) of 10|Creating test table|Adding a record|Dropping test table|Closing database)$/,
    values: { attempt: 'int' },
    samples: [
      { line: 'Attempting to open database; test #1 of 10', fields: { attempt: 1 } },
      { line: 'Dropping test table', fields: { step: 'Dropping test table' } },
    ],
  },
  {
    kind: 'archival-operation',
    description: 'Start or end of a command-line archival operation, or a bad archival option',
    ref: 'dgate.cpp:13686-13826',
    logger: 'N',
    pattern: /^(?:---------- (?<phase>Start|End of) archival operation +-----------|option requires two device names|Unknown archiving option)$/,
    samples: [
      { line: ' ---------- Start archival operation  -----------', fields: { phase: 'Start' } },
      { line: 'Unknown archiving option', fields: { phase: null } },
    ],
  },
  {
    kind: 'database-setup',
    description: 'Creating the ODBC data source, the database and its tables (install run)',
    ref: 'dgate.cpp:13863-13926',
    logger: 'N',
    pattern:
      /^(?<step>Creating data source|Driver = (?<driver>.*)|Options = (?<options>.*)|Datasource configuration succesful|succesfully created database(?: and login)?|Initializing Tables|----------------------------------)$/,
    samples: [
      { line: 'Creating data source', fields: { step: 'Creating data source' } },
      { line: 'Driver = SQL Server', fields: { driver: 'SQL Server' } },
      { line: 'succesfully created database and login' },
    ],
  },
  {
    kind: 'database-setup-failed',
    description: 'The ODBC data source could not be configured',
    ref: 'dgate.cpp:13878',
    logger: 'N',
    pattern: /^\*\*\*Datasource configuration FAILED$/,
    samples: [{ line: '***Datasource configuration FAILED' }],
  },
  {
    kind: 'kfactor-load-error',
    description: 'The kfactor file (archival compression factors) could not be loaded',
    ref: 'dgate.cpp:13577, 14424',
    logger: 'N',
    pattern: /^\*\*\*(?:Could not load kfactor file: |Error loading kfactor file:)(?<path>.*)$/,
    samples: [{ line: '***Could not load kfactor file: dicom.sql', fields: { path: 'dicom.sql' } }],
  },
  {
    kind: 'dbase-index',
    description: 'Built-in dbase driver: building its in-memory index',
    ref: '§2.9 odbci.cpp:2440-2460',
    logger: 'N',
    pattern:
      /^(?:Creating index on field (?<field>\d+) for (?<table>\S+) with (?<records>\d+) records|Indexing (?<indexing>\S+): (?<processed>\d+) records processed|Index for (?<finished>\S+) finished in (?<ms>\d+) ms; total space = (?<space>\d+) records)$/,
    values: { field: 'int', records: 'int', processed: 'int', ms: 'int', space: 'int' },
    samples: [{ line: 'Creating index on field 0 for DICOMImages with 2000 records', fields: { field: 0, table: 'DICOMImages', records: 2000 } }],
  },
  {
    kind: 'dbase-index-full',
    description: 'Built-in dbase driver: the index is full and queries slow down until a restart',
    ref: '§2.9 odbci.cpp:2483',
    logger: 'N',
    pattern: /^\*\*\*Index for (?<table>\S+) is full - speed will degrade until server is restarted$/,
    samples: [{ line: '***Index for DICOMImages is full - speed will degrade until server is restarted', fields: { table: 'DICOMImages' } }],
  },
  {
    kind: 'dbase-busy-indexing',
    description: 'Built-in dbase driver: a write was refused while the index is being built',
    ref: '§2.9 odbci.cpp:4427, 4600, 5661',
    logger: 'N',
    pattern: /^\*\*\* (?<operation>AddRecord|DeleteRecord|UpdateRecords): DbaseIII read only during indexing$/,
    samples: [{ line: '*** AddRecord: DbaseIII read only during indexing', fields: { operation: 'AddRecord' } }],
  },
  {
    kind: 'dbase-slow-query',
    description: 'Built-in dbase driver: a query took long (hashed, indexed or full scan)',
    ref: '§2.9 odbci.cpp:4951-4955',
    logger: 'N',
    pattern: /^(?<method>Hashed|Indexed|Normal) +query in (?<table>\S+) (?<column>.*) took long: (?<ms>\d+) ms$/,
    values: { ms: 'int' },
    samples: [{ line: 'Indexed query in DICOMImages ImagePat took long: 1200 ms', fields: { method: 'Indexed', table: 'DICOMImages', column: 'ImagePat', ms: 1200 } }],
  },
  {
    kind: 'dbase-trace',
    description: 'Built-in dbase driver internals: hash hits and query start record',
    ref: '§2.9 odbci.cpp:1127, 4901, 4914',
    logger: 'N',
    pattern: /^(?:(?<action>Hashing found|hashing entered) record in db (?<table>\S+): (?<record>-?\d+)|enter query at record (?<start>-?\d+), indexval = (?<indexval>-?\d+))$/,
    values: { record: 'int', start: 'int', indexval: 'int' },
    samples: [{ line: 'Hashing found record in db DICOMPatients: 12', fields: { action: 'Hashing found', table: 'DICOMPatients', record: 12 } }],
  },
  {
    kind: 'dbase-packing',
    description: 'Built-in dbase driver: a table file is packed (deleted records removed)',
    ref: '§2.9 odbci.cpp:3213',
    logger: 'N',
    pattern: /^Packing database (?<table>.*)$/,
    samples: [{ line: 'Packing database DICOMImages', fields: { table: 'DICOMImages' } }],
  },
  {
    kind: 'device-report',
    description: 'MAG device check report: free space per MAG, MIRROR or CACHE device',
    ref: 'dgate.cpp:2168-2189',
    logger: 'N',
    pattern: /^(?:\*\* MAG DEVICE CHECK|Free space on (?<device>MAG|MIRROR|CACHE) +Device (?<index>\d+) := (?<freeMb>-?\d+) MByte)$/,
    values: { index: 'int', freeMb: 'int' },
    samples: [
      { line: 'Free space on MAG   Device 0 := 79790 MByte', fields: { device: 'MAG', index: 0, freeMb: 79790 } },
      { line: '** MAG DEVICE CHECK' },
    ],
  },
  {
    kind: 'device-report',
    description: 'Separator line of the MAG device check and database layout reports',
    ref: 'dgate.cpp:2202, 2283',
    logger: 'N',
    pattern: /^\*\*$/,
    samples: [{ line: '20200722 14:03:05 **' }],
  },
  {
    kind: 'database-layout',
    description: 'Database layout report: table names and the DICOM tag of each column',
    ref: 'dgate.cpp:2210-2294',
    logger: 'N',
    pattern: /^--(?<level>Patient|Study|Series|Image|WorkList) Database: (?<table>.*)$/,
    samples: [{ line: '--Study Database: DICOMStudies', fields: { level: 'Study', table: 'DICOMStudies' } }],
  },
  {
    kind: 'database-layout',
    description: 'Database layout report: one column with its DICOM tag, name, length and type',
    ref: 'dgate.cpp:2210-2265',
    logger: 'N',
    pattern: /^0x(?<group>[0-9a-fA-F]{4}),0x(?<element>[0-9a-fA-F]{4}) +(?<column>.*)$/,
    samples: [{ line: '0x0020,0x000d  StudyInsta    64  SQL_C_CHAR  STUDY  1  0', fields: { group: '0020', element: '000d' } }],
  },
  {
    kind: 'largest-malloc',
    description: 'Result of the largest-allocation memory check',
    ref: 'dgate.cpp:23203',
    logger: 'N',
    pattern: /^Largest malloc = (?<mb>\d+) MB$/,
    values: { mb: 'int' },
    samples: [{ line: 'Largest malloc = 1024 MB', fields: { mb: 1024 } }],
  },
  {
    kind: 'killer',
    description: 'killer.exe frees disk space by deleting patients no longer in use',
    ref: 'killer.cpp:141-221',
    logger: 'N',
    pattern: /^(?:Killer\.exe is making space on disk:|Patient ID '(?<removed>.*)' Removed \(no longer being used\))$/,
    samples: [{ line: "Patient ID '12345678' Removed (no longer being used)", fields: { removed: '12345678' } }],
  },
  {
    kind: 'killer-panic-delete',
    description: 'killer.exe deletes a patient in panic mode (disk full)',
    ref: 'killer.cpp:141',
    logger: 'N',
    pattern: /^\*\*\*PANIC DELETE Patient ID := '(?<patientId>.*)'$/,
    samples: [{ line: "***PANIC DELETE Patient ID := '12345678'", fields: { patientId: '12345678' } }],
  },
];
